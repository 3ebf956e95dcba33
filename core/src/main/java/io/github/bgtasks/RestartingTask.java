package io.github.bgtasks;

import io.github.bgtasks.health.AlertListener;
import io.github.bgtasks.health.Health;
import io.github.bgtasks.health.RestartPolicy;
import io.github.bgtasks.internal.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handle of a task with a {@link RestartPolicy} or in watch mode: a chain of runs, each a {@link Task} of its
 * own (id, log file, result, supervision), of which this handle shows the current one. Listeners
 * hear every run; {@link #onExit()} completes with the last run's result once restarting ends;
 * a stop of the handle or of any run ends the restarting. In watch mode, {@link #filesChanged}
 * stops the current run and the next starts once it has ended; a run that ends by itself leaves
 * the chain waiting for changes. Backoff timers go to the instance's
 * scheduler. Decisions are made under {@link #lock}; starts, stops and user code run outside it.
 * This class is thread-safe.
 */
final class RestartingTask implements TaskHandle {
    private static final Logger LOG = LoggerFactory.getLogger(RestartingTask.class);

    /** Starts one run; {@code prepare} sees it before its end is watched. */
    interface Launcher {
        Task launch(TaskSpec spec, Consumer<Task> prepare);
    }

    private final Launcher launcher;
    private final TaskSpec spec;
    private final RestartPolicy policy;
    private final TaskContext ctx;
    private final CompletableFuture<TaskResult> last = new CompletableFuture<>();
    // what onExit() gives: completed after the hooks, so that whoever sees the end sees them done
    private final CompletableFuture<TaskResult> exited = new CompletableFuture<>();
    private final List<Runnable> beforeExit = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Object lock = new Object();

    // guarded by lock
    private Task current;
    private final List<CompletionListener> listeners = new ArrayList<>();
    private final List<AlertListener> alertListeners = new ArrayList<>();
    private final ArrayDeque<Long> restarts = new ArrayDeque<>(); // ticker time of each restart in the window
    private boolean over; // stopped or given up: no more runs
    private boolean launching;
    private Future<?> backoffTimer;
    private boolean rerun; // watch mode: files changed, the current run is being stopped for the next

    RestartingTask(Launcher launcher, TaskSpec spec, TaskContext ctx) {
        this.launcher = launcher;
        this.spec = spec;
        this.policy = spec.restart();
        this.ctx = ctx;
        last.thenAccept(r -> {
            for (Runnable hook : beforeExit) {
                try {
                    hook.run();
                } catch (RuntimeException e) {
                    LOG.warn("cleaning up after task {} failed", r.id(), e);
                }
            }
            exited.complete(r);
        });
    }

    /** Runs {@code hook} once the restarting has ended, before {@link #onExit()} completes. */
    void beforeExit(Runnable hook) {
        beforeExit.add(hook);
    }

    /** Starts the first run; a failure to start it is thrown, as for a task without a policy. */
    RestartingTask start() {
        Task first = launcher.launch(spec, this::prepare);
        boolean stopNow;
        synchronized (lock) {
            stopNow = over; // the instance was closed while it started
        }
        if (stopNow) {
            first.stop();
        }
        return this;
    }

    /** Called with each new run before its end is watched, so that nothing of it is missed. */
    private void prepare(Task run) {
        List<CompletionListener> ls;
        List<AlertListener> as;
        synchronized (lock) {
            current = run;
            ls = List.copyOf(listeners);
            as = List.copyOf(alertListeners);
        }
        ls.forEach(run::addListener);
        as.forEach(run::addAlertListener);
        // onExit() completes after the run's listeners were called
        run.onExit().thenAccept(r -> ended(run, r));
    }

    private boolean restartsAfter(Task run, TaskState s) {
        if (s == TaskState.STOPPED && run.supervisor() != null && run.supervisor().restartRequested()) {
            return true; // stopped by a health check that asked for a restart, not by a person
        }
        return switch (s) {
            case FAILED, TIMED_OUT, LOST -> policy.mode() != RestartPolicy.Mode.NEVER;
            case SUCCEEDED -> policy.mode() == RestartPolicy.Mode.ALWAYS;
            default -> false; // STOPPED: a stop ends the restarting
        };
    }

    private void ended(Task run, TaskResult r) {
        boolean gaveUp = false;
        boolean finish = false;
        boolean next = false; // watch mode: the run was stopped for the next one
        long delay = 0;
        synchronized (lock) {
            if (run != current) {
                return; // a run that watch mode has already followed with the next
            }
            if (rerun && !over) {
                rerun = false;
                next = true;
            } else if (!over && !restartsAfter(run, r.state()) && spec.watch().isPresent() && r.state() != TaskState.STOPPED) {
                return; // watch mode: wait for the next change
            } else if (over || !restartsAfter(run, r.state())) {
                over = true;
                finish = true;
            } else {
                long now = ctx.ticker().read();
                policy.window().ifPresent(w -> {
                    while (!restarts.isEmpty() && now - restarts.peekFirst() >= w.toNanos()) {
                        restarts.removeFirst();
                    }
                });
                int limit = policy.maxRestarts().orElse(Integer.MAX_VALUE);
                if (restarts.size() >= limit) {
                    over = true;
                    gaveUp = true;
                } else {
                    long d = policy.backoffBefore(restarts.size()).toNanos();
                    delay = d - ThreadLocalRandom.current().nextLong(d / 2 + 1); // jitter: the upper half
                    try {
                        backoffTimer = ctx.threads().schedule(() -> restart(run, true), delay);
                    } catch (RejectedExecutionException e) {
                        over = true; // the instance is closed
                        finish = true;
                    }
                }
            }
        }
        if (next) {
            restart(run, false); // the old run has ended: the next starts now
        } else if (gaveUp) {
            giveUp(run, r, "task " + spec.name().orElse(r.name()) + " gave up restarting after "
                    + policy.maxRestarts().getAsInt() + " restart(s)"
                    + policy.window().map(w -> " within " + Durations.format(w)).orElse("")
                    + "; last run " + r.summary());
        } else if (finish) {
            last.complete(r);
        } else {
            LOG.info("task {} {}; restarting in {}", r.id(), r.state(), Durations.format(Duration.ofNanos(delay)));
        }
    }

    private void giveUp(Task run, TaskResult r, String message) {
        LOG.warn("{}", message);
        run.supervisor().gaveUp(r, message);
        last.complete(r);
    }

    /** Starts the next run; {@code counted} for restarts of the policy, not for those of watch mode. */
    private void restart(Task after, boolean counted) {
        Task previous;
        synchronized (lock) {
            if (over || launching || current != after) {
                return; // ended, or the next run was started already (by watch mode or the backoff)
            }
            launching = true;
            previous = current;
            if (counted) {
                restarts.addLast(ctx.ticker().read());
            }
        }
        Task next = null;
        try {
            next = launcher.launch(spec, this::prepare);
        } catch (RuntimeException e) {
            synchronized (lock) {
                over = true;
                launching = false;
            }
            TaskResult r = previous.onExit().join(); // ended: it is why we restart
            giveUp(previous, r, "task " + r.name() + " could not be restarted after " + r.summary() + ": " + e.getMessage());
            return;
        }
        boolean stopNow;
        synchronized (lock) {
            launching = false;
            stopNow = over || rerun; // stopped, or files changed, while it was starting
        }
        if (stopNow) {
            next.stop();
        }
    }

    /**
     * Watch mode: files changed (debounced). Stops the current run gracefully, and the next starts
     * once it has ended; if it has ended already, the next starts now.
     */
    void filesChanged(java.util.Set<Path> changed) {
        Task run;
        boolean startNow = false;
        synchronized (lock) {
            if (over || current == null) {
                return;
            }
            run = current;
            if (launching) {
                rerun = true; // restart() stops the new run once it is started
                return;
            }
            if (run.isDone() && !rerun) {
                if (backoffTimer != null) {
                    backoffTimer.cancel(false);
                }
                startNow = true;
            } else {
                rerun = true;
            }
        }
        LOG.info("task {}: {} changed; {}", spec.name().orElse(run.name()), describe(changed),
                startNow ? "running it again" : "stopping run " + run.id() + " to run it again");
        if (startNow) {
            restart(run, false);
        } else {
            run.stop();
        }
    }

    private static String describe(java.util.Set<Path> changed) {
        List<String> names = changed.stream().map(Path::toString).sorted().limit(3).toList();
        return String.join(", ", names) + (changed.size() > 3 ? " and " + (changed.size() - 3) + " more" : "");
    }

    /**
     * Ends the restarting: no further run starts. With {@code stop}, the current run is stopped
     * too ({@code force}: killed).
     */
    CompletableFuture<TaskResult> end(boolean stop, boolean force) {
        Task run;
        boolean starting;
        synchronized (lock) {
            over = true;
            if (backoffTimer != null) {
                backoffTimer.cancel(false);
            }
            run = current;
            // a run being started (or the first, by close() during start()) is stopped by restart(),
            // or by close() once its launch is over
            starting = launching || run == null;
        }
        if (!starting) { // else restart() stops the new run as soon as it is started
            if (stop) {
                if (force) {
                    run.kill();
                } else {
                    run.stop();
                }
            }
            if (run.isDone() || stop) {
                run.onExit().thenAccept(last::complete); // between runs: the restarting ends with the last
            }
        }
        return onExit();
    }

    private Task current() {
        synchronized (lock) {
            return current;
        }
    }

    @Override
    public String id() {
        return current().id();
    }

    @Override
    public String name() {
        return current().name();
    }

    @Override
    public List<String> command() {
        return spec.argv();
    }

    @Override
    public TaskState state() {
        return current().state();
    }

    @Override
    public Instant startedAt() {
        return current().startedAt();
    }

    @Override
    public Duration runtime() {
        return current().runtime();
    }

    @Override
    public OptionalLong pid() {
        return current().pid();
    }

    @Override
    public CompletableFuture<TaskResult> onExit() {
        return exited.copy();
    }

    @Override
    public TaskHandle addListener(CompletionListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        Task run;
        synchronized (lock) {
            listeners.add(listener);
            run = current;
        }
        run.addListener(listener); // the current run, also if it has ended; later runs in prepare()
        return this;
    }

    @Override
    public List<String> tail(int lines) {
        return current().tail(lines);
    }

    @Override
    public Path logFile() {
        return current().logFile();
    }

    @Override
    public void send(String line) {
        current().send(line);
    }

    @Override
    public void closeInput() {
        current().closeInput();
    }

    @Override
    public CompletableFuture<TaskResult> stop() {
        return end(true, false);
    }

    @Override
    public CompletableFuture<TaskResult> kill() {
        return end(true, true);
    }

    @Override
    public CompletableFuture<TaskHandle> onReady() {
        Task run = current();
        return run.onReady().thenApply(t -> this);
    }

    @Override
    public Health health() {
        return current().health();
    }

    @Override
    public TaskHandle addAlertListener(AlertListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        Task run;
        synchronized (lock) {
            alertListeners.add(listener);
            run = current;
        }
        run.addAlertListener(listener);
        return this;
    }

    @Override
    public Optional<String> attachCommand() {
        return current().attachCommand();
    }

    @Override
    public void close() {
        stop().join();
    }

    @Override
    public String toString() {
        return "RestartingTask{" + policy + " " + current() + "}";
    }
}
