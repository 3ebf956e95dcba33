package io.github.bgtasks;

/**
 * Where a task is in its life. A task is {@link #RUNNING}, may pass through {@link #STOPPING},
 * and ends in exactly one of the five terminal states.
 */
public enum TaskState {
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
    LOST;

    /**
     * Tells whether this state is final.
     *
     * @return {@code true} for the five states a task ends in
     */
    public boolean isTerminal() {
        return this != RUNNING && this != STOPPING;
    }
}
