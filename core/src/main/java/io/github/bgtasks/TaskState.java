package io.github.bgtasks;

/**
 * Where a task is in its life. A task may wait {@link #QUEUED} (in a group with a cap), is
 * {@link #RUNNING}, may pass through {@link #STOPPING}, and ends in exactly one of the six
 * terminal states.
 */
public enum TaskState {
    /** Waiting in a group or pipeline for its turn; no process runs yet. */
    QUEUED,
    /** The task's process runs. */
    RUNNING,
    /** A stop or a timeout has sent SIGTERM; SIGKILL follows after the grace period. */
    STOPPING,
    /** Ended by itself with exit code 0. */
    SUCCEEDED,
    /** Ended by itself with a non-zero exit code, or was killed by a signal nobody asked for. */
    FAILED,
    /** Ended because its timeout expired. */
    TIMED_OUT,
    /** Ended because {@code stop()}, {@code kill()} or {@code close()} asked it to. */
    STOPPED,
    /** Its end could not be observed (for example the tmux server was killed). */
    LOST,
    /** Never started, because an earlier pipeline step failed or its group was stopped first. */
    SKIPPED;

    /**
     * Tells whether this state is final.
     *
     * @return {@code true} for the six states a task ends in
     */
    public boolean isTerminal() {
        return this != QUEUED && this != RUNNING && this != STOPPING;
    }
}
