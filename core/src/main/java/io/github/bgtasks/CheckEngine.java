package io.github.bgtasks;

import io.github.bgtasks.health.Alert;
import io.github.bgtasks.health.AlertListener;
import io.github.bgtasks.health.HealthCheck;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.internal.posix.DaemonThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health engine of one instance: its timers go to the instance's scheduler; probe runs go to
 * one small pool ({@value #POOL_SIZE} daemon threads {@code bgtasks-check-N}, created on demand,
 * ending when idle), so that neither the scheduler nor any thread per task waits for a check.
 * HTTP checks use one {@code HttpClient} per JVM (created on the first HTTP check) through
 * {@code sendAsync}, so a server that never answers holds no thread; TCP connects block a pool
 * thread for at most their timeout. This class is thread-safe.
 */
final class CheckEngine {
    static final int POOL_SIZE = 4;
    private static final Logger LOG = LoggerFactory.getLogger(CheckEngine.class);

    private final EngineThreads threads;
    private final List<AlertListener> listeners;
    private final ThreadPoolExecutor pool;
    private final List<HealthCheck> instanceChecks;

    /**
     * @param threads the instance's threads: its scheduler for timers, its callback executor for user code
     * @param listeners the instance-wide alert listeners
     * @param instanceChecks the checks of every task
     * @param idleKeepAlive how long an idle pool thread lives
     */
    CheckEngine(EngineThreads threads, List<AlertListener> listeners, List<HealthCheck> instanceChecks, Duration idleKeepAlive) {
        this.threads = threads;
        this.listeners = List.copyOf(listeners);
        this.instanceChecks = List.copyOf(instanceChecks);
        this.pool = new ThreadPoolExecutor(POOL_SIZE, POOL_SIZE, idleKeepAlive.toNanos(), TimeUnit.NANOSECONDS,
                new LinkedBlockingQueue<>(), DaemonThreads.factory("bgtasks-check"));
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Supervises one task: call {@link Supervisor#start()} once its exit is watched.
     *
     * @param target the task
     * @param checks its checks
     * @param readiness its readiness, or null
     * @param deadline the readiness deadline, or null
     * @return the supervisor
     */
    Supervisor supervise(TaskTarget target, List<HealthCheck> checks, Readiness readiness, Duration deadline) {
        return new Supervisor(this, target, checks, readiness, deadline);
    }

    /**
     * @param own a task's own checks
     * @return its checks: its own, then the instance's that it does not replace by name
     */
    List<HealthCheck> checksFor(List<HealthCheck> own) {
        if (instanceChecks.isEmpty()) {
            return own;
        }
        List<HealthCheck> all = new ArrayList<>(own);
        for (HealthCheck c : instanceChecks) {
            if (own.stream().noneMatch(o -> o.name().equals(c.name()))) {
                all.add(c);
            }
        }
        return all;
    }

    /**
     * @return the checks of a task of an earlier JVM: the instance's, where a
     *     {@link HealthCheck.Action#RESTART} only alerts, since this JVM has no spec to start
     *     it again from and must not stop what it cannot bring back
     */
    List<HealthCheck> checksForAdopted() {
        return instanceChecks.stream().map(c -> c.onUnhealthy() == HealthCheck.Action.RESTART
                ? c.onUnhealthy(HealthCheck.Action.ALERT) : c).toList();
    }

    /** @return true if any of a task's checks (with the instance's) restarts it when unhealthy */
    boolean restarts(List<HealthCheck> own) {
        for (HealthCheck c : checksFor(own)) { // on every start: no stream for the usual empty list
            if (c.onUnhealthy() == HealthCheck.Action.RESTART) {
                return true;
            }
        }
        return false;
    }

    Future<?> schedule(Runnable action, Duration delay) {
        try {
            return threads.schedule(action, Math.max(0, delay.toNanos()));
        } catch (RejectedExecutionException e) {
            return null; // closed: no more checks
        }
    }

    void deliver(Runnable work) {
        threads.deliver(work);
    }

    Executor pool() {
        return pool;
    }

    /** Calls the instance's listeners and then the task's, each on its own guard. */
    void alert(Alert alert, List<AlertListener> taskListeners) {
        if (listeners.isEmpty() && taskListeners.isEmpty()) {
            return;
        }
        deliver(() -> {
            for (AlertListener l : listeners) {
                call(l, alert);
            }
            for (AlertListener l : taskListeners) {
                call(l, alert);
            }
        });
    }

    boolean hasInstanceListeners() {
        return !listeners.isEmpty();
    }

    private static void call(AlertListener l, Alert alert) {
        try {
            l.onAlert(alert);
        } catch (RuntimeException | Error e) {
            LOG.warn("alert listener {} failed on an alert of task {}", l, alert.taskId(), e);
        }
    }

    /** Stops the pool; runs in flight finish on their own, their results are dropped. */
    void shutdown() {
        pool.shutdownNow();
    }
}
