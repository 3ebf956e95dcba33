package io.github.bgtasks.process;

import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A task run by the Perl helper. Signals go to its process group and session, never to a bare
 * pid. Input is bounded ({@link InputWindow}): bytes sent but not yet acknowledged by the helper
 * count as in flight.
 */
final class SpawnedTask implements BackendTask {
    private final Helper helper;
    private final String key;
    private final Launch launch;
    /** The task's record in the state directory if it is detached, else null. */
    private final TaskRecord record;
    private volatile long pid;
    private volatile Optional<ProcessHandle> leader = Optional.empty();
    private volatile boolean ended;
    /** Guards {@link #endActions}, {@link #endStatus} and {@link #exit}. */
    private final Object endLock = new Object();
    private List<Consumer<ExitStatus>> endActions = new ArrayList<>(1);
    private ExitStatus endStatus;
    /**
     * Made on the first call of {@link #exit()}: the core watches the end through
     * {@link #whenEnded} and never asks, so most tasks have none, and their end needs no hop
     * through the completer to complete it (a thread wake-up per task, issue 8).
     */
    private CompletableFuture<ExitStatus> exit;
    private volatile boolean abandoned;
    private volatile boolean killWanted;

    /** Keeps the bytes of one {@link #send} call together. */
    private final Object sendOrder = new Object();
    private final InputWindow input;

    SpawnedTask(Helper helper, String key, Launch launch, Spawner.Settings settings, TaskRecord record) {
        this.helper = helper;
        this.record = record;
        this.key = key;
        this.launch = launch;
        this.input = new InputWindow(launch.id(), settings);
    }

    String key() {
        return key;
    }

    boolean detached() {
        return record != null;
    }

    TaskRecord record() {
        return record;
    }

    void started(long pid) {
        this.pid = pid;
    }

    void leader(Optional<ProcessHandle> leader) {
        this.leader = leader;
    }

    /** @return the task's own process as it was when it started: the guard against pid reuse */
    Optional<ProcessHandle> leader() {
        return leader;
    }

    /** Called by the reader as soon as the end is known, before the future completes. */
    void markEnded(ExitStatus status) {
        ended = true;
        input.close("the task has ended (" + status + ")");
    }

    boolean ended() {
        return ended;
    }

    /**
     * Records the end for the {@link #whenEnded} actions, to be run on the caller's thread (the
     * reader's): they only hand it over, so the core's end needs no hop through the completer.
     *
     * @return the actions to run, each once, by the caller; empty if the end was recorded before
     */
    List<Consumer<ExitStatus>> takeEndActions(ExitStatus status) {
        synchronized (endLock) {
            if (endStatus != null) {
                return List.of();
            }
            endStatus = status;
            List<Consumer<ExitStatus>> actions = endActions;
            endActions = null;
            return actions;
        }
    }

    /**
     * @return the {@link #exit()} future to complete with the end recorded by
     *     {@link #takeEndActions}, off the reader, or null if nobody has asked for it (a later
     *     {@code exit()} gets it completed)
     */
    CompletableFuture<ExitStatus> exitToComplete() {
        synchronized (endLock) {
            return exit;
        }
    }

    @Override
    public void whenEnded(Consumer<ExitStatus> action) {
        ExitStatus status;
        synchronized (endLock) {
            status = endStatus;
            if (status == null) {
                endActions.add(action);
                return;
            }
        }
        action.accept(status); // it had ended already
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
        input.close("the process backend's helper process died");
    }

    /** Waits until {@code n} more bytes may be in flight (see {@link InputWindow}). */
    void reserveInput(int n) throws IOException {
        input.reserve(n);
    }

    /** The helper wrote (or dropped) {@code n} bytes of this task's input. */
    void acknowledged(long n) {
        input.taken(n);
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
        synchronized (endLock) {
            if (exit == null) {
                exit = endStatus == null ? new CompletableFuture<>() : CompletableFuture.completedFuture(endStatus);
            }
            return exit;
        }
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
        if (record != null) {
            record.release();
        }
    }

    @Override
    public String toString() {
        return "SpawnedTask{" + launch.id() + ", pid " + pid + "}";
    }
}
