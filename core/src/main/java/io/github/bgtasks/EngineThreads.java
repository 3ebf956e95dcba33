package io.github.bgtasks;

import io.github.bgtasks.internal.posix.DaemonThreads;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads of one instance: the scheduler (timeouts, grace periods), the event thread that
 * takes each task's end off the backend's thread, and the pool that runs listeners. The
 * scheduler and the pool may be the user's; those are never shut down here. This class is
 * thread-safe.
 */
final class EngineThreads {
    private final ScheduledExecutorService scheduler;
    private final Executor callbacks;
    // Exits are handed over to this thread, so no listener, future or log check ever runs on a
    // backend's thread (a listener that starts a task there would wait for that very thread).
    private final ThreadPoolExecutor events;
    private final boolean ownsScheduler;
    private final boolean ownsCallbacks;
    private final Delays delays;

    EngineThreads(ScheduledExecutorService scheduler, Executor callbacks, Delays delays) {
        this.delays = delays;
        this.ownsScheduler = scheduler == null;
        this.scheduler = ownsScheduler ? newScheduler() : scheduler;
        this.ownsCallbacks = callbacks == null;
        this.callbacks = ownsCallbacks ? newPool(4, "bgtasks-callback") : callbacks;
        this.events = newPool(1, "bgtasks-events");
    }

    private static ScheduledExecutorService newScheduler() {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, DaemonThreads.factory("bgtasks-scheduler"));
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    private ThreadPoolExecutor newPool(int size, String prefix) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(size, size, delays.idleThreadKeepAlive().toNanos(),
                TimeUnit.NANOSECONDS, new LinkedBlockingQueue<>(), DaemonThreads.factory(prefix));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * Runs an action after a delay on the scheduler.
     *
     * @throws RejectedExecutionException once the instance is closed
     */
    Future<?> schedule(Runnable action, long delayNanos) {
        return scheduler.schedule(action, delayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Runs an event of a task (its exit) on the event thread, never on the backend's thread that
     * reported it. After shutdown, a task left running still gets its own short-lived thread.
     */
    void handOver(Runnable event) {
        try {
            events.execute(event);
        } catch (RejectedExecutionException e) {
            DaemonThreads.start("bgtasks-events-after-close", event);
        }
    }

    /** Runs user-facing work (listeners, futures) on the callback executor; after shutdown, here. */
    void deliver(Runnable work) {
        try {
            callbacks.execute(work);
        } catch (RejectedExecutionException e) {
            work.run(); // the executor is shut down: deliver here rather than never
        }
    }

    /** Stops the scheduler if it is ours, then lets queued events and callbacks finish (bounded). */
    void shutdown() {
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
        // Events first: they hand results to the callback pool.
        drain(events);
        if (ownsCallbacks) {
            drain((ExecutorService) callbacks);
        }
    }

    private void drain(ExecutorService pool) {
        pool.shutdown();
        try {
            pool.awaitTermination(delays.drainWait().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
