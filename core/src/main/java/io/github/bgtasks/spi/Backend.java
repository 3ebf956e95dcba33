package io.github.bgtasks.spi;

import java.io.IOException;
import java.util.List;

/**
 * Runs tasks somewhere: as plain OS processes, in tmux sessions, later on remote hosts.
 *
 * <p>A backend only launches, signals and watches. Everything else (names, validation, log
 * placement, timeouts, stop escalation, listeners, the state machine) lives in the core, so a
 * backend stays small. The core calls a backend from any thread; implementations must be
 * thread-safe. A backend must never run its callers' code (listeners) on its own threads for
 * longer than it takes to complete a future.
 */
public interface Backend extends AutoCloseable {

    /**
     * Returns a short name for messages and logs, such as {@code "process"} or {@code "tmux"}.
     *
     * @return the backend's name
     */
    String name();

    /**
     * Starts a task. Returns once the task's process runs, or throws if it could not start.
     *
     * <p>The core has already validated the launch (argv, working directory, environment) and
     * created the log file with owner-only permissions. The backend writes every byte of the
     * task's standard output and standard error to {@link Launch#logFile()} and gives the task a
     * standard input that {@link BackendTask#send(byte[])} writes to.
     *
     * @param launch what to start
     * @return the running task
     * @throws IOException if the task could not be started; the message says why
     */
    BackendTask launch(Launch launch) throws IOException;

    /**
     * Finds tasks that this backend keeps outside the JVM and that an earlier JVM started, so
     * that a new {@code BackgroundTasks} can list and watch them. Backends whose tasks end with
     * the JVM return an empty list.
     *
     * @return the tasks found, running or finished but not yet removed
     * @throws IOException if the backend could not be asked
     */
    default List<BackendTask> discover() throws IOException {
        return List.of();
    }

    /**
     * Tells whether tasks of this backend keep running by default when their
     * {@code BackgroundTasks} is closed (tmux: yes, plain processes: no).
     *
     * @return {@code true} if closing should leave tasks running unless configured otherwise
     */
    default boolean keepsTasksOnClose() {
        return false;
    }

    /**
     * Releases what the backend holds (helper processes, monitor clients). Tasks that are still
     * running are left as they are: the core has already stopped those it had to stop.
     */
    @Override
    void close();
}
