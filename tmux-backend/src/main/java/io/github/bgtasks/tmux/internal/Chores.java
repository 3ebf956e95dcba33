package io.github.bgtasks.tmux.internal;

import io.github.bgtasks.internal.posix.DaemonThreads;
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

    /** Runs the chore every {@code millis}, the first time after {@code millis}. */
    void every(Runnable chore, long millis) {
        executor.scheduleWithFixedDelay(chore, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** @return whether the chore will run after {@code millis}: not if the backend has closed */
    boolean later(Runnable chore, long millis) {
        try {
            executor.schedule(chore, millis, TimeUnit.MILLISECONDS);
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
