package io.github.bgtasks.spi;

import io.github.bgtasks.internal.posix.Executables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs tasks somewhere: as plain OS processes, in tmux sessions, later on remote hosts.
 *
 * <p>A backend only launches, signals and watches. Everything else (names, log placement,
 * timeouts, stop escalation, listeners, the state machine) lives in the core, so a backend stays
 * small. What depends on the machine where tasks run is asked of the backend: the environment
 * and working directory a task starts from ({@link #baseEnvironment()},
 * {@link #defaultWorkingDirectory()}) and whether its program and directory are usable there
 * ({@link #validate}). The defaults describe this machine, which is right for every backend that
 * runs tasks locally; a remote or cluster backend overrides them, and keeps its tasks' output
 * where it suits it ({@link #logStore(Path)}). The core calls a backend from any thread; implementations must be
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
     * created the log file through the {@link LogStore} (by default with owner-only
     * permissions). The backend writes every byte of the
     * task's standard output and standard error to {@link Launch#logFile()} and gives the task a
     * standard input that {@link BackendTask#send(byte[])} writes to.
     *
     * @param launch what to start
     * @return the running task
     * @throws IOException if the task could not be started; the message says why
     */
    BackendTask launch(Launch launch) throws IOException;

    /**
     * Returns the environment a task starts from, before the variables of its spec are applied.
     * Default: the JVM's environment.
     *
     * @return the base environment, not modified by the caller
     */
    default Map<String, String> baseEnvironment() {
        return System.getenv();
    }

    /**
     * Returns the working directory of tasks whose spec names none; a relative directory in a
     * spec is resolved against it. Default: the JVM's current directory.
     *
     * @return an absolute directory on the machine where tasks run
     */
    default Path defaultWorkingDirectory() {
        return Path.of("").toAbsolutePath();
    }

    /**
     * Checks, before anything is created for a task, that it can start where this backend runs
     * it: its working directory exists and is a directory, and its program can be executed (a
     * name without {@code /} is looked up on the task's {@code PATH}, as {@code execvp} does).
     * The default checks this machine. The core has already checked what does not depend on the
     * machine (names, sizes that Linux can pass, NUL characters).
     *
     * @param argv the program and its arguments
     * @param workingDirectory the absolute working directory
     * @param environment the task's complete environment
     * @throws IllegalArgumentException if the task cannot start; the message names the bad value
     *     and says how to fix it
     */
    default void validate(List<String> argv, Path workingDirectory, Map<String, String> environment) {
        if (!Files.isDirectory(workingDirectory)) {
            throw new IllegalArgumentException("working directory " + workingDirectory
                    + (Files.exists(workingDirectory) ? " is not a directory" : " does not exist"));
        }
        Executables.check(argv.get(0), workingDirectory, environment.get("PATH"));
    }

    /**
     * Returns where the output of this backend's tasks goes and how it is read, if not in files
     * on this machine. Default: empty, and the core keeps one owner-only file per run in the
     * log directory, {@code directory} or its default, on this machine (checked to belong to
     * the user and to be writable by no one else).
     *
     * @param directory the log directory the user configured, or {@code null} for the default
     * @return the store, or empty for the local log directory
     */
    default Optional<LogStore> logStore(Path directory) {
        return Optional.empty();
    }

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
     * {@code BackgroundTasks} is closed: a general capability of backends whose tasks live
     * outside the JVM (tmux sessions, a cluster's jobs, a remote host's daemons), which usually
     * also {@linkplain #discover() find} them again. Plain processes: no.
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
