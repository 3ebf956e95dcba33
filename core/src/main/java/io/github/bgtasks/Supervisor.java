package io.github.bgtasks;

import io.github.bgtasks.health.Alert;
import io.github.bgtasks.health.AlertListener;
import io.github.bgtasks.health.CheckResult;
import io.github.bgtasks.health.Health;
import io.github.bgtasks.health.HealthCheck;
import io.github.bgtasks.health.NotReadyException;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.internal.Durations;
import io.github.bgtasks.internal.health.Access;
import io.github.bgtasks.internal.health.LogCursor;
import io.github.bgtasks.internal.health.Probe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * The checks, readiness and alerts of one task. Each check runs again one period after its last
 * run began (never two runs of one check at once), on the engine's pool, cut by its timeout on
 * the scheduler. Decisions are made under {@link #lock}; alerts, log reads and futures happen
 * after it is released. This class is thread-safe.
 */
final class Supervisor {
    /** How often unmet readiness conditions are tried again. */
    static final Duration READY_POLL = Duration.ofMillis(100);
    /** How long one try of a readiness condition may take. */
    static final Duration READY_TRY_TIMEOUT = Duration.ofSeconds(2);

    private final CheckEngine engine;
    private final TaskTarget target;
    private final List<Running> checks = new ArrayList<>();
    private final List<AlertListener> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<TaskHandle> ready = new CompletableFuture<>();
    private final Readiness readiness;
    private final Duration deadline;
    private final List<Condition> conditions = new ArrayList<>();
    private final Object lock = new Object();

    // guarded by lock
    private boolean started;
    private boolean checksScheduled;
    private Future<?> deadlineTimer;
    private Future<?> pollTimer;
    /** The task's end once it has ended (set under the lock; volatile for readers without it). */
    private volatile TaskResult end;
    /** Set before a check's {@link HealthCheck.Action#RESTART} stops the run, for its restarting chain. */
    private volatile boolean restartRequested;

    /** One check on this task, with its counters. */
    private static final class Running {
        final HealthCheck check;
        final Probe<CheckResult> probe;
        // guarded by the supervisor's lock
        Health.State state = Health.State.UNKNOWN;
        CheckResult last = CheckResult.unknown("not run yet");
        int failures;
        int successes;
        Future<?> timer;

        Running(HealthCheck check, Probe<CheckResult> probe) {
            this.check = check;
            this.probe = probe;
        }
    }

    /** One readiness condition on this task. */
    private static final class Condition {
        final String name;
        final Probe<CheckResult> probe;
        volatile CheckResult last = CheckResult.unknown("not tried yet");

        Condition(String name, Probe<CheckResult> probe) {
            this.name = name;
            this.probe = probe;
        }
    }

    Supervisor(CheckEngine engine, TaskTarget target, List<HealthCheck> checks, Readiness readiness, Duration deadline) {
        this.engine = engine;
        this.target = target;
        for (HealthCheck c : checks) {
            this.checks.add(new Running(c, probe(Access.probe(c)).open(target)));
        }
        this.readiness = readiness;
        this.deadline = deadline;
        if (readiness != null) {
            for (Access.Condition c : Access.conditions(readiness)) {
                conditions.add(new Condition(c.name(), probe(c.probe()).open(target)));
            }
        } else {
            ready.complete(target.task()); // ready when started: no callback needed
        }
    }

    /** The health types' probes all yield a {@link CheckResult}: {@code HealthCheck} and {@code Readiness} build them so. */
    @SuppressWarnings("unchecked")
    private static Probe.Factory<CheckResult> probe(Probe.Factory<?> f) {
        return (Probe.Factory<CheckResult>) f;
    }

    /** Starts the timers: the readiness polls and deadline, then each check after its initial delay. */
    void start() {
        synchronized (lock) {
            if (started) {
                return;
            }
            started = true;
            if (end != null) {
                // It ended before it was started (a quick task): ended() left the readiness open for
                // this last look, which decides it at once, ready or not, instead of never.
                if (readiness != null && !ready.isDone()) {
                    lastLook();
                }
                return;
            }
            if (readiness == null) {
                scheduleChecks();
            } else {
                deadlineTimer = engine.schedule(this::deadlinePassed, deadline);
                pollTimer = engine.schedule(() -> {
                    try {
                        engine.pool().execute(() -> poll(false));
                    } catch (RejectedExecutionException e) {
                        // closed meanwhile
                    }
                }, Duration.ZERO);
            }
        }
    }

    /**
     * Starts each check's timer with its initial delay: at the start, or, for a task with a
     * readiness, once it is ready, so that a server still booting is not taken for a broken one
     * (nor restarted by a check's action). Called under the lock.
     */
    private void scheduleChecks() {
        if (checksScheduled) {
            return;
        }
        checksScheduled = true;
        for (Running r : checks) {
            r.timer = engine.schedule(() -> run(r), r.check.initialDelay());
        }
    }

    // ---------------------------------------------------------------- checks

    private void run(Running r) {
        synchronized (lock) {
            if (end != null) {
                return;
            }
        }
        long began = target.nanoTime();
        attempt(r.probe, r.check.timeout(), r.check.name()).whenCompleteAsync((result, e) -> {
            record(r, result);
            long next = began + r.check.period().toNanos() - target.nanoTime();
            synchronized (lock) {
                if (end == null) {
                    r.timer = engine.schedule(() -> run(r), Duration.ofNanos(Math.max(0, next)));
                }
            }
        }, engine.pool());
    }

    /**
     * Runs a probe on the pool, completing with its result, with "unhealthy: timed out" when the
     * timeout passes first, or with "unhealthy: threw X" when it throws. Never fails.
     */
    private CompletableFuture<CheckResult> attempt(Probe<CheckResult> probe, Duration timeout, String name) {
        CompletableFuture<CheckResult> out = new CompletableFuture<>();
        Runner runner = new Runner();
        Future<?> timer = engine.schedule(() -> {
            if (out.complete(CheckResult.unhealthy("check '" + name + "' timed out after " + Durations.format(timeout)))) {
                runner.interrupt(); // a probe blocked on the pool thread (a Java check) gives the thread back
            }
        }, timeout);
        try {
            engine.pool().execute(() -> {
                if (out.isDone()) {
                    return; // timed out while queued behind other runs: its result is in already
                }
                CompletableFuture<CheckResult> inner;
                runner.enter();
                try {
                    inner = Objects.requireNonNull(probe.check(timeout), "the probe returned no future");
                } catch (Exception | Error e) {
                    inner = CompletableFuture.failedFuture(e);
                } finally {
                    runner.leave();
                }
                CompletableFuture<CheckResult> running = inner;
                running.whenComplete((res, e) -> out.complete(res != null ? res : threw(name, e)));
                out.whenComplete((res, e) -> running.cancel(true)); // a timed-out run is abandoned
            });
        } catch (RejectedExecutionException e) {
            out.complete(CheckResult.unknown("the instance is closed"));
        }
        out.whenComplete((res, e) -> {
            if (timer != null) {
                timer.cancel(false);
            }
        });
        return out;
    }

    /**
     * The pool thread that runs a probe's synchronous part, so that a timeout can interrupt it
     * there and only there: the interrupt and the thread's leaving are decided under one
     * monitor, and leaving clears a late interrupt, so that none reaches the thread's next work.
     */
    private static final class Runner {
        private Thread thread;

        synchronized void enter() {
            thread = Thread.currentThread();
        }

        synchronized void leave() {
            thread = null;
            Thread.interrupted();
        }

        synchronized void interrupt() {
            if (thread != null) {
                thread.interrupt();
            }
        }
    }

    private static CheckResult threw(String name, Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        List<String> ev = new ArrayList<>();
        ev.add(String.valueOf(cause));
        for (StackTraceElement el : cause == null ? new StackTraceElement[0] : cause.getStackTrace()) {
            if (ev.size() > 5) {
                break;
            }
            ev.add("  at " + el);
        }
        return CheckResult.unhealthy("check '" + name + "' threw " + cause, ev.toArray(String[]::new));
    }

    private void record(Running r, CheckResult result) {
        Alert.Kind kind = null;
        synchronized (lock) {
            if (end != null) {
                return; // a run in flight at the end: the end decides, no alert after a stop
            }
            r.last = result;
            switch (result.state()) {
                case HEALTHY -> {
                    r.failures = 0;
                    r.successes++;
                    if (r.state == Health.State.UNHEALTHY) {
                        if (r.successes >= r.check.successThreshold()) {
                            r.state = Health.State.HEALTHY;
                            kind = Alert.Kind.RECOVERED;
                        }
                    } else {
                        r.state = Health.State.HEALTHY;
                    }
                }
                case UNHEALTHY -> {
                    r.successes = 0;
                    r.failures++;
                    if (r.state != Health.State.UNHEALTHY && r.failures >= r.check.failureThreshold()) {
                        r.state = Health.State.UNHEALTHY;
                        kind = Alert.Kind.UNHEALTHY;
                    }
                }
                default -> {
                    r.failures = 0;
                    r.successes = 0;
                    if (r.state != Health.State.UNHEALTHY) {
                        r.state = Health.State.UNKNOWN;
                    }
                }
            }
        }
        if (kind == null) {
            return;
        }
        HealthCheck.Action action = kind == Alert.Kind.UNHEALTHY ? r.check.onUnhealthy() : HealthCheck.Action.ALERT;
        raise(kind, r.check.name(), kind == Alert.Kind.RECOVERED
                ? "check '" + r.check.name() + "' is healthy again: " + result.message()
                : "check '" + r.check.name() + "' is unhealthy: " + result.message() + switch (action) {
                    case ALERT -> "";
                    case RESTART -> "; restarting the task";
                    case STOP -> "; stopping the task";
                }, result.evidence(), null);
        act(action);
    }

    /** Carries out a check's action after its alert was raised: the alert tells why the task ends. */
    private void act(HealthCheck.Action action) {
        if (action == HealthCheck.Action.ALERT) {
            return;
        }
        restartRequested = action == HealthCheck.Action.RESTART; // read by the chain once the run has ended
        target.task().stop();
    }

    /**
     * @return true if a check with {@link HealthCheck.Action#RESTART} stopped this run: its
     *     restarting chain starts the next one, although the run ended as stopped
     */
    boolean restartRequested() {
        return restartRequested;
    }

    private void raise(Alert.Kind kind, String check, String message, List<String> evidence, TaskResult result) {
        if (listeners.isEmpty() && !engine.hasInstanceListeners()) {
            return;
        }
        List<String> lines = LogCursor.relevant(target);
        Optional<String> hint = kind == Alert.Kind.RECOVERED ? Optional.empty()
                : result != null ? result.hint() : target.hint(lines);
        engine.alert(new Alert(kind, target.task().id(), check, message, evidence, lines, hint), List.copyOf(listeners));
    }

    // ---------------------------------------------------------------- readiness

    /** Tries the unmet conditions: on the pool, from the scheduler's timer or from {@link #ended}. */
    private void poll(boolean last) {
        List<CompletableFuture<CheckResult>> tries = new ArrayList<>();
        for (Condition c : conditions) {
            if (!c.last.isHealthy()) {
                if (c.probe.quick()) {
                    c.last = tryNow(c); // a log read: in line, without a timer or a hop (measured: about half the cost)
                } else {
                    tries.add(attempt(c.probe, READY_TRY_TIMEOUT, c.name).whenComplete((r, e) -> c.last = r));
                }
            }
        }
        if (tries.isEmpty()) {
            decide(last);
        } else {
            CompletableFuture.allOf(tries.toArray(CompletableFuture[]::new))
                    .whenCompleteAsync((v, e) -> decide(last), engine.pool());
        }
    }

    private static CheckResult tryNow(Condition c) {
        synchronized (c) { // the last look at the end may meet a try in flight: one probe, one reader
            try {
                return ((Probe.Sync<CheckResult>) c.probe).now(READY_TRY_TIMEOUT);
            } catch (Exception | Error e) {
                return threw(c.name, e);
            }
        }
    }

    /** Looks at the readiness conditions once more after the end, on the pool; fails them if closed. */
    private void lastLook() {
        try {
            engine.pool().execute(() -> poll(true));
        } catch (RejectedExecutionException e) {
            engine.deliver(() -> ready.completeExceptionally(new NotReadyException("task " + target.task().id()
                    + " ended (" + end.summary() + ") before it was ready", List.of())));
        }
    }

    /** Schedules the next try of the readiness conditions, on the pool. Called under the lock. */
    private void pollLater() {
        pollTimer = engine.schedule(() -> {
            try {
                engine.pool().execute(() -> poll(false));
            } catch (RejectedExecutionException e) {
                // closed: the task is stopped, its end fails the readiness
            }
        }, READY_POLL);
    }

    private void decide(boolean last) {
        boolean all = conditions.stream().allMatch(c -> c.last.isHealthy());
        if (all) {
            synchronized (lock) {
                cancel(deadlineTimer);
                if (end == null) {
                    scheduleChecks();
                }
            }
            engine.deliver(() -> ready.complete(target.task()));
        } else if (last) {
            TaskResult r = end; // onExit() completes only after this, on the callback executor
            notReady("task " + target.task().id() + " ended (" + (r != null ? r.summary() : target.task().state())
                    + ") before it was ready");
        } else {
            synchronized (lock) {
                if (end == null && !ready.isDone()) {
                    pollLater();
                }
            }
        }
    }

    private void deadlinePassed() {
        engine.pool().execute(() -> notReady("task " + target.task().id() + " was not ready within "
                + Durations.format(deadline)));
    }

    private void notReady(String what) {
        if (ready.isDone()) {
            return;
        }
        synchronized (lock) {
            cancel(pollTimer);
            cancel(deadlineTimer);
        }
        List<String> waiting = conditions.stream().filter(c -> !c.last.isHealthy())
                .map(c -> c.name + " (" + c.last.message() + ")").toList();
        List<String> tail;
        try {
            tail = target.task().tail(20);
        } catch (RuntimeException unreadable) {
            tail = List.of(); // the log is gone, or close() interrupted this thread: the failure still goes out
        }
        NotReadyException e = new NotReadyException(what + "; still waiting for " + String.join(", ", waiting)
                + (tail.isEmpty() ? "; it wrote nothing" : "; its last lines:\n  " + String.join("\n  ", tail)), tail);
        engine.deliver(() -> ready.completeExceptionally(e));
    }

    // ---------------------------------------------------------------- the end

    /** Called once the task has ended: stops the checks, fails readiness, raises the end's alert. */
    void ended(TaskResult result) {
        Running alive = null;
        boolean pollAgain;
        synchronized (lock) {
            if (end != null) {
                return;
            }
            end = Objects.requireNonNull(result);
            for (Running r : checks) {
                cancel(r.timer);
                if (r.check.name().equals("alive")) {
                    alive = r;
                }
            }
            cancel(pollTimer);
            pollAgain = readiness != null && started && !ready.isDone();
            if (alive != null && result.state() != TaskState.STOPPED) {
                alive.state = Health.State.UNHEALTHY;
                alive.last = CheckResult.unhealthy("the task has ended: " + result.summary());
            }
        }
        Running aliveCheck = alive;
        if (!pollAgain && listeners.isEmpty() && !engine.hasInstanceListeners()) {
            return; // nobody to tell: no thread hop per task end
        }
        try {
            engine.pool().execute(() -> {
                if (pollAgain) {
                    poll(true); // a last look: the line may have come just before the end
                }
                endAlert(result, aliveCheck);
            });
        } catch (RejectedExecutionException e) {
            // closed: nobody is listening any more
        }
    }

    /**
     * Raises the {@link Alert.Kind#GAVE_UP} alert of a task whose restart policy allows no more
     * runs, with the last run's evidence and hint; the log is read on the pool.
     */
    void gaveUp(TaskResult last, String message) {
        if (listeners.isEmpty() && !engine.hasInstanceListeners()) {
            return;
        }
        try {
            engine.pool().execute(() -> raise(Alert.Kind.GAVE_UP, "restart", message, last.errorLines(), last));
        } catch (RejectedExecutionException e) {
            // closed: nobody is listening any more
        }
    }

    private void endAlert(TaskResult result, Running alive) {
        TaskState s = result.state();
        String check = alive != null ? "alive" : "exit";
        if (s == TaskState.FAILED || s == TaskState.TIMED_OUT || s == TaskState.LOST) {
            raise(Alert.Kind.FAILED, check, "task " + result.id() + " failed: " + result.summary(),
                    result.errorLines(), result);
        } else if (s == TaskState.SUCCEEDED && alive != null) {
            raise(Alert.Kind.UNHEALTHY, check, "check 'alive' is unhealthy: task " + result.id()
                    + " ended although it should run until stopped: " + result.summary(), List.of(), result);
        }
    }

    private static void cancel(Future<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    // ---------------------------------------------------------------- views

    /** @return a copy of the readiness future */
    CompletableFuture<TaskHandle> onReady() {
        return ready.copy();
    }

    /** @return the health as the checks last saw it */
    Health health() {
        Map<String, CheckResult> results = new LinkedHashMap<>();
        boolean anyUnhealthy = false;
        boolean allHealthy = !checks.isEmpty();
        synchronized (lock) {
            for (Running r : checks) {
                // Below the failure threshold the check still counts as what it was.
                CheckResult shown = r.last.state() == r.state ? r.last : new CheckResult(r.state, r.last.message()
                        + (r.state == Health.State.UNHEALTHY ? "" : " (" + r.failures + " of " + r.check.failureThreshold()
                        + " failures before unhealthy)"), r.last.evidence());
                results.put(r.check.name(), shown);
                anyUnhealthy |= r.state == Health.State.UNHEALTHY;
                allHealthy &= r.state == Health.State.HEALTHY;
            }
        }
        return new Health(anyUnhealthy ? Health.State.UNHEALTHY : allHealthy ? Health.State.HEALTHY
                : Health.State.UNKNOWN, results);
    }

    /** Adds a listener for this task's alerts. */
    void addAlertListener(AlertListener l) {
        listeners.add(Objects.requireNonNull(l, "listener must not be null"));
    }
}
