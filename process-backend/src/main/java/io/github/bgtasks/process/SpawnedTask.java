package io.github.bgtasks.process;

import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A task run by the helper. Signals go to its process group and session, never to a bare pid.
 *
 * <p>Input is bounded: bytes sent but not yet acknowledged by the helper (written to the task's
 * stdin pipe, or dropped) may not exceed {@link Spawner.Settings#inputBound()}, so a task that
 * does not read its input cannot make the helper buffer without limit; {@link #send} waits.
 */
final class SpawnedTask implements BackendTask {
    private final Helper helper;
    private final String key;
    private final Launch launch;
    private final Spawner.Settings settings;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private volatile long pid;
    private volatile Optional<ProcessHandle> leader = Optional.empty();
    private volatile boolean ended;
    private volatile boolean abandoned;
    private volatile boolean killWanted;

    /** Keeps the bytes of one {@link #send} call together. */
    private final Object sendOrder = new Object();
    private final Object inputLock = new Object();
    // guarded by inputLock
    private long unacknowledged;
    private long lastProgressNanos = System.nanoTime();
    private String inputGone;

    SpawnedTask(Helper helper, String key, Launch launch, Spawner.Settings settings) {
        this.helper = helper;
        this.key = key;
        this.launch = launch;
        this.settings = settings;
    }

    String key() {
        return key;
    }

    void started(long pid, Optional<ProcessHandle> leader) {
        this.pid = pid;
        this.leader = leader;
    }

    /** @return the task's own process as it was when it started: the guard against pid reuse */
    Optional<ProcessHandle> leader() {
        return leader;
    }

    /** Called by the reader as soon as the end is known, before the future completes. */
    void markEnded(ExitStatus status) {
        ended = true;
        synchronized (inputLock) {
            inputGone = "the task has ended (" + status + ")";
            inputLock.notifyAll();
        }
    }

    boolean ended() {
        return ended;
    }

    void abandon(boolean value) {
        abandoned = value;
    }

    boolean abandoned() {
        return abandoned;
    }

    void killRequested() {
        killWanted = true;
    }

    boolean killWanted() {
        return killWanted;
    }

    /** The helper died: no input can reach the task any more; waiting senders return at once. */
    void stopInput() {
        synchronized (inputLock) {
            inputGone = "the process backend's helper process died";
            inputLock.notifyAll();
        }
    }

    /** Waits until {@code n} more bytes may be in flight, with no progress for at most the input wait. */
    void reserveInput(int n) throws IOException {
        long bound = settings.inputBound();
        long wait = settings.inputWait().toNanos();
        synchronized (inputLock) {
            long since = System.nanoTime();
            while (inputGone == null && unacknowledged > 0 && unacknowledged + n > bound) {
                long left = Math.max(since, lastProgressNanos) + wait - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("task " + launch.id() + " is not reading its standard input: "
                            + unacknowledged + " bytes sent to it are still waiting (at most " + bound
                            + " may wait), with no progress for " + Spawner.human(settings.inputWait())
                            + "; make the task read its input, or stop sending");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(inputLock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for task " + launch.id() + " to read its input", e);
                }
            }
            if (inputGone != null) {
                throw new IOException(inputGone);
            }
            unacknowledged += n;
        }
    }

    /** The helper wrote (or dropped) {@code n} bytes of this task's input. */
    void acknowledged(long n) {
        synchronized (inputLock) {
            unacknowledged = Math.max(0, unacknowledged - n);
            lastProgressNanos = System.nanoTime();
            inputLock.notifyAll();
        }
    }

    @Override
    public Launch launch() {
        return launch;
    }

    @Override
    public OptionalLong pid() {
        long p = pid;
        return p == 0 ? OptionalLong.empty() : OptionalLong.of(p);
    }

    @Override
    public CompletableFuture<ExitStatus> exit() {
        return exit;
    }

    @Override
    public void terminate() throws IOException {
        helper.signal(this, "TERM");
    }

    @Override
    public void kill() throws IOException {
        helper.signal(this, "KILL");
    }

    @Override
    public void send(byte[] bytes) throws IOException {
        synchronized (sendOrder) {
            if (ended) {
                throw new IOException("the task has ended");
            }
            helper.input(this, bytes);
        }
    }

    @Override
    public void closeInput() throws IOException {
        if (!ended) {
            helper.closeInput(this);
        }
    }

    @Override
    public void release() {
        helper.forget(key);
    }

    @Override
    public String toString() {
        return "SpawnedTask{" + launch.id() + ", pid " + pid + "}";
    }
}
