package io.github.bgtasks.tmux.internal;

import io.github.bgtasks.internal.posix.DaemonThreads;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The backend's one background thread, for the periodic sweep and for delayed chores (a
 * re-check once an end has settled, a session killed after a SIGKILL, a go FIFO closed after a
 * start was given up), and whether the backend is closed: once it is, no chore runs and none
 * is scheduled. This class is thread-safe.
 */
public final class Chores {
    private final ScheduledExecutorService executor =
            new ScheduledThreadPoolExecutor(1, DaemonThreads.factory("bgtasks-tmux-sweep"));
    private volatile boolean closed;

    /** Creates the chores; the thread starts with the first chore. */
    public Chores() {
    }

    /** @return whether the backend is closed */
    public boolean closed() {
        return closed;
    }

    /** Runs the chore every {@code period}, the first time after {@code period}. */
    void every(Runnable chore, Duration period) {
        executor.scheduleWithFixedDelay(chore, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** @return whether the chore will run after {@code delay}: not if the backend has closed */
    boolean later(Runnable chore, Duration delay) {
        if (closed) {
            return false; // also covers the moment between close()'s flag and the executor's shutdown
        }
        try {
            executor.schedule(chore, delay.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            return false; // closed meanwhile: the next JVM decides
        }
    }

    /** Marks the backend closed and stops the thread; chores not yet run never run. */
    public void close() {
        closed = true;
        executor.shutdownNow();
    }
}
