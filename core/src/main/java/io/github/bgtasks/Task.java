package io.github.bgtasks;

import io.github.bgtasks.health.AlertListener;
import io.github.bgtasks.health.Health;
import io.github.bgtasks.internal.Text;

import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task's state machine: RUNNING, maybe STOPPING, then exactly one terminal state. State
 * changes are decided under {@link #lock}; signals, listeners and futures are handled after
 * it is released, so no user code or process call ever runs under the lock.
 */
final class Task implements TaskHandle {
    private static final Logger LOG = LoggerFactory.getLogger(Task.class);

    /** Why a task is being ended, recorded before its exit is seen. */
    private enum Cause { NONE, STOP, TIMEOUT }

    private final TaskContext ctx;
    private final BackendTask backend;
    private final Launch launch;
    private final long startNanos;
    private final CompletableFuture<TaskResult> result = new CompletableFuture<>();
    private final Object lock = new Object();

    // guarded by lock
    private TaskState state = TaskState.RUNNING;
    private Cause cause = Cause.NONE;
    private List<CompletionListener> listeners = new ArrayList<>();
    private Future<?> timeoutTimer;
    private Future<?> killTimer;
    private TaskResult done;
    // set once, before watch(): readiness, health checks and alerts (issue 9)
    private volatile Supervisor supervisor;

    Task(TaskContext ctx, BackendTask backend) {
        this.ctx = ctx;
        this.backend = backend;
        this.launch = backend.launch();
        // Adopted tasks started earlier; count their runtime from then, on the monotonic clock.
        Duration age = Duration.between(launch.startedAt(), ctx.clock().instant());
        this.startNanos = ctx.ticker().read() - Math.max(0, age.toNanos());
    }

    /** Attaches the task's supervision; called once, before {@link #watch()}. */
    void supervise(Supervisor s) {
        this.supervisor = s;
    }

    /** @return the task's supervision, or null before {@link #supervise} */
    Supervisor supervisor() {
        return supervisor;
    }

    /** Starts watching: the timeout timer and the exit. Called once the task is registered. */
    void watch() {
        launch.timeout().ifPresent(limit -> {
            long delay = startNanos + limit.toNanos() - ctx.ticker().read();
            synchronized (lock) {
                if (done == null) {
                    timeoutTimer = schedule(this::expire, Math.max(0, delay));
                }
            }
        });
        // The backend reports the end on its own thread (the process backend's single reader):
        // hand over at once, so that nothing of ours or of the user's ever runs there.
        backend.whenEnded(status -> ctx.threads().handOver(() -> finish(status)));
    }

    /**
     * Schedules on the instance's scheduler; once the instance is closed (its tasks may be left
     * running, as tmux tasks are), there is none, and the timer is skipped with a warning.
     */
    private Future<?> schedule(Runnable action, long delayNanos) {
        try {
            return ctx.threads().schedule(action, delayNanos);
        } catch (RejectedExecutionException e) {
            LOG.warn("task {}: its BackgroundTasks is closed, so no timer can run for it any more", launch.id());
            return null;
        }
    }

    private void expire() {
        end(Cause.TIMEOUT, false);
    }

    private CompletableFuture<TaskResult> end(Cause why, boolean force) {
        boolean term = false;
        boolean kill = false;
        synchronized (lock) {
            if (done == null) {
                if (cause == Cause.NONE) {
                    cause = why;
                }
                if (force) {
                    kill = true;
                    state = TaskState.STOPPING;
                } else if (state == TaskState.RUNNING) {
                    term = true;
                    state = TaskState.STOPPING;
                    Duration grace = launch.stopGracePeriod();
                    killTimer = schedule(() -> end(why, true), grace.toNanos());
                }
            }
        }
        if (term) {
            LOG.debug("task {}: sending SIGTERM to its process tree ({})", launch.id(), why);
            signal(true);
        }
        if (kill) {
            LOG.debug("task {}: sending SIGKILL to its process tree ({})", launch.id(), why);
            signal(false);
        }
        return onExit();
    }

    private void signal(boolean term) {
        try {
            if (term) {
                backend.terminate();
            } else {
                backend.kill();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("task {}: could not send {} through the {} backend: {}", launch.id(),
                    term ? "SIGTERM" : "SIGKILL", ctx.backendName(), e.toString());
        }
    }

    /**
     * Records the end, once, and returns what the user is to see of it: listeners, then the
     * futures; run on the callback executor ({@link EngineThreads#handOver}).
     *
     * @return the user-facing work, or null if the task had ended already
     */
    private Runnable finish(ExitStatus status) {
        long endNanos = ctx.ticker().read();
        // A full file system makes writers fail (or lose output silently): say so, on the
        // result and in the log, once the output is all in.
        String logProblem = checkLog();
        TaskResult r;
        List<CompletionListener> toCall;
        synchronized (lock) {
            if (done != null) {
                return null;
            }
            state = decide(status);
            Duration ran = Duration.ofNanos(endNanos - startNanos);
            r = new TaskResult(launch.id(), launch.name(), state, status, launch.startedAt(), ran,
                    launch.logFile(), launch.timeout().orElse(null), logProblem, ctx.logScan(),
                    result -> TaskTarget.explain(ctx.hints(), launch, result));
            done = r;
            toCall = listeners;
            listeners = null;
            cancel(timeoutTimer);
            cancel(killTimer);
        }
        LOG.debug("task {} ended: {}", launch.id(), status);
        if (logProblem != null) {
            LOG.warn("task {}: {}", launch.id(), logProblem);
        }
        try {
            ctx.onEnd().accept(this);
        } catch (RuntimeException e) {
            LOG.warn("task {}: could not update the task list after its end", launch.id(), e); // still deliver
        }
        Supervisor s = supervisor;
        if (s != null) {
            s.ended(r);
        }
        return () -> {
            toCall.forEach(l -> call(l, r)); // first, so that onExit() callers see their effects
            result.complete(r);
        };
    }

    /** Asks the log store about the output once it is all in; a store's failure is only logged. */
    private String checkLog() {
        try {
            return ctx.logs().checkAfterEnd(launch.logFile()).orElse(null);
        } catch (RuntimeException e) {
            LOG.warn("task {}: could not check its log {}", launch.id(), launch.logFile(), e);
            return null;
        }
    }

    private TaskState decide(ExitStatus status) {
        if (status.lostReason().isPresent()) {
            return TaskState.LOST;
        }
        if (status.timedOut() || cause == Cause.TIMEOUT) {
            return TaskState.TIMED_OUT;
        }
        if (cause == Cause.STOP) {
            return TaskState.STOPPED;
        }
        return status.exitCode().orElse(-1) == 0 ? TaskState.SUCCEEDED : TaskState.FAILED;
    }

    private static void cancel(Future<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void deliver(Runnable work) {
        ctx.threads().deliver(work);
    }

    private void call(CompletionListener listener, TaskResult r) {
        try {
            listener.onComplete(r);
        } catch (RuntimeException | Error e) {
            LOG.warn("completion listener {} of task {} failed", listener, launch.id(), e);
        }
    }

    @Override
    public String id() {
        return launch.id();
    }

    @Override
    public String name() {
        return launch.name();
    }

    @Override
    public List<String> command() {
        return launch.argv();
    }

    @Override
    public TaskState state() {
        synchronized (lock) {
            return state;
        }
    }

    @Override
    public Instant startedAt() {
        return launch.startedAt();
    }

    @Override
    public Duration runtime() {
        synchronized (lock) {
            if (done != null) {
                return done.duration();
            }
        }
        return Duration.ofNanos(ctx.ticker().read() - startNanos);
    }

    @Override
    public OptionalLong pid() {
        return backend.pid();
    }

    @Override
    public CompletableFuture<TaskResult> onExit() {
        return result.copy();
    }

    @Override
    public TaskHandle addListener(CompletionListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        TaskResult r;
        synchronized (lock) {
            r = done;
            if (r == null) {
                listeners.add(listener);
            }
        }
        if (r != null) {
            deliver(() -> call(listener, r)); // ended already: still called, exactly once
        }
        return this;
    }

    @Override
    public List<String> tail(int lines) {
        return ctx.logScan().lastLines(launch.logFile(), lines);
    }

    @Override
    public Path logFile() {
        return launch.logFile();
    }

    @Override
    public void send(String line) {
        Objects.requireNonNull(line, "line must not be null");
        requireRunning("input can no longer be sent");
        try {
            backend.send((line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            requireRunning("input can no longer be sent");
            throw new UncheckedIOException("could not send input to task " + launch.id() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void closeInput() {
        try {
            backend.closeInput();
        } catch (IOException e) {
            throw new UncheckedIOException("could not close the input of task " + launch.id(), e);
        }
    }

    private void requireRunning(String consequence) {
        TaskState s = state();
        if (s.isTerminal()) {
            throw new IllegalStateException("task " + launch.id() + " has ended (" + s + "); " + consequence);
        }
    }

    @Override
    public CompletableFuture<TaskResult> stop() {
        return end(Cause.STOP, false);
    }

    @Override
    public CompletableFuture<TaskResult> kill() {
        return end(Cause.STOP, true);
    }

    @Override
    public CompletableFuture<TaskHandle> onReady() {
        Supervisor s = supervisor;
        return s != null ? s.onReady() : CompletableFuture.completedFuture(this);
    }

    @Override
    public Health health() {
        Supervisor s = supervisor;
        return s != null ? s.health() : new Health(Health.State.UNKNOWN, java.util.Map.of());
    }

    @Override
    public TaskHandle addAlertListener(AlertListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        Supervisor s = supervisor;
        if (s == null) {
            throw new IllegalStateException("task " + launch.id() + " is not supervised: its BackgroundTasks was closed");
        }
        s.addAlertListener(listener);
        return this;
    }

    @Override
    public Optional<String> attachCommand() {
        return backend.attachCommand();
    }

    @Override
    public void close() {
        stop().join();
    }

    BackendTask backendTask() {
        return backend;
    }

    /** Lets the backend forget this task; a failure is logged, as nothing else depends on it. */
    void release() {
        try {
            backend.release();
        } catch (RuntimeException e) {
            LOG.warn("the {} backend failed to release task {}", ctx.backendName(), launch.id(), e);
        }
    }

    boolean isDone() {
        synchronized (lock) {
            return done != null;
        }
    }

    @Override
    public String toString() {
        return "Task{" + launch.id() + " " + state() + healthLine() + " " + Text.command(launch.argv()) + "}";
    }

    /**
     * The health for one line of {@link BackgroundTasks#list()}: empty without checks,
     * {@code " HEALTHY"}, or the unhealthy checks with the first line of what they saw, such as
     * {@code " UNHEALTHY [tcp 8000: port 8000 on 127.0.0.1 does not accept connections]"}.
     */
    private String healthLine() {
        Supervisor s = supervisor;
        Health h = s != null ? s.health() : null;
        if (h == null || h.checks().isEmpty()) {
            return "";
        }
        if (h.state() != Health.State.UNHEALTHY) {
            return " " + h.state();
        }
        List<String> bad = new ArrayList<>();
        h.checks().forEach((name, r) -> {
            if (r.state() == Health.State.UNHEALTHY) {
                bad.add(name + ": " + Text.abbreviate(r.message(), 120));
            }
        });
        return " UNHEALTHY " + bad;
    }
}
