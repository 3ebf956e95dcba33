package io.github.bgtasks;

/**
 * Thrown by {@code start} when a valid task could not be started: its arguments and
 * environment are larger than Linux passes to a program ("Argument list too long"), its log
 * file could not be created (a full or read-only file system), the program could not be
 * executed, a resource ran out, or the backend failed. Nothing of the task is left running.
 * The message names the task, what failed (shortened where it is long) and the cause.
 */
public class TaskStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception; only bgtasks throws it, so users need not construct one.
     *
     * @param message what failed, for people
     * @param cause the underlying failure
     */
    TaskStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
