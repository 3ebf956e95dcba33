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
import java.util.function.Supplier;

/**
 * The threads of one instance: the scheduler (timeouts, grace periods), the pool that runs
 * listeners, and, only with a callback executor of the user's, the event thread that takes each
 * task's end off the backend's thread first. The scheduler and the pool may be the user's; those
 * are never shut down here. This class is thread-safe.
 */
final class EngineThreads {
    private final ScheduledExecutorService scheduler;
    private final Executor callbacks;
    // With the user's callback executor, exits are handed over to this thread first, so no
    // listener, future or log check ever runs on a backend's thread, even with a direct executor
    // (a listener that starts a task there would wait for that very thread). With our own pool,
    // an end goes straight to the pool: one thread hop instead of two (each hop is a wake-up of a
    // parked thread, tens of microseconds on a busy 2-core machine). Null with our own pool.
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
        this.events = ownsCallbacks ? null : newPool(1, "bgtasks-events");
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
     * Runs the end of a task, never on the backend's thread that reported it: {@code end}
     * records it and returns the user-facing work (listeners, futures), or null if there is none;
     * that work then runs on the callback executor. With our own pool, both run on one pool
     * thread; with the user's executor, {@code end} runs on the event thread. After shutdown, a
     * task left running still gets its own short-lived thread.
     */
    void handOver(Supplier<Runnable> end) {
        Runnable event = events == null ? () -> runNow(end.get()) : () -> deliverNonNull(end.get());
        try {
            (events == null ? callbacks : events).execute(event);
        } catch (RejectedExecutionException e) {
            DaemonThreads.start("bgtasks-events-after-close", () -> deliverNonNull(end.get()));
        }
    }

    private static void runNow(Runnable work) {
        if (work != null) {
            work.run();
        }
    }

    private void deliverNonNull(Runnable work) {
        if (work != null) {
            deliver(work);
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
        if (events != null) {
            drain(events);
        }
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
