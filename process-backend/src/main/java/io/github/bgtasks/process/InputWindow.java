package io.github.bgtasks.process;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The bound on a task's input in flight: bytes sent to it but not yet taken (written to its
 * stdin pipe, or dropped) may not exceed {@link Spawner.Settings#inputBound()}, so a task that
 * does not read its input cannot make the backend buffer without limit. A send beyond the bound
 * waits for the task to read, and fails after {@link Spawner.Settings#inputWait()} without
 * progress. Both strategies use it: the Perl helper acknowledges bytes that left its queue, the
 * JDK strategy's writer those it wrote. This class is thread-safe.
 */
final class InputWindow {
    private final String taskId;
    private final Spawner.Settings settings;
    private final Object lock = new Object();
    // guarded by lock
    private long inFlight;
    private long lastProgressNanos = System.nanoTime();
    private String gone;

    InputWindow(String taskId, Spawner.Settings settings) {
        this.taskId = taskId;
        this.settings = settings;
    }

    /** Waits until {@code n} more bytes may be in flight, with no progress for at most the input wait. */
    void reserve(int n) throws IOException {
        long bound = settings.inputBound();
        long wait = settings.inputWait().toNanos();
        synchronized (lock) {
            long since = System.nanoTime();
            while (gone == null && inFlight > 0 && inFlight + n > bound) {
                long left = Math.max(since, lastProgressNanos) + wait - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("task " + taskId + " is not reading its standard input: "
                            + inFlight + " bytes sent to it are still waiting (at most " + bound
                            + " may wait), with no progress for " + Spawner.human(settings.inputWait())
                            + "; make the task read its input, or stop sending");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for task " + taskId + " to read its input", e);
                }
            }
            if (gone != null) {
                throw new IOException(gone);
            }
            inFlight += n;
        }
    }

    /** {@code n} bytes left the queue: written to the task's stdin, or dropped. */
    void taken(long n) {
        synchronized (lock) {
            inFlight = Math.max(0, inFlight - n);
            lastProgressNanos = System.nanoTime();
            lock.notifyAll();
        }
    }

    /** No input can reach the task any more: sends fail with {@code reason}; waiting ones return at once. */
    void close(String reason) {
        synchronized (lock) {
            if (gone == null) {
                gone = reason;
            }
            lock.notifyAll();
        }
    }
}
