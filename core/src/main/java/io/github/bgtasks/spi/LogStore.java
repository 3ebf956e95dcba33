package io.github.bgtasks.spi;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the output of tasks goes, and how the core reads it back ({@code tail}, the warning and
 * error counts of a result). The default keeps one owner-only file per run in the log
 * directory on this machine; a backend whose tasks write elsewhere (a remote host, a cluster's
 * shared file system) supplies its own through {@link Backend#logStore(Path)}, and the core
 * then needs no special case for it.
 *
 * <p>Implementations are thread-safe.
 */
public interface LogStore {

    /**
     * Returns where the logs are, for messages and {@code BackgroundTasks.logDirectory()}.
     *
     * @return the directory, absolute
     */
    Path directory();

    /**
     * Creates the empty log of a new run of a task, {@code <name>.<n>.log} with the first free
     * {@code n}, so that the run's id is {@code <name>.<n>}. It must hold output: a store that
     * cannot write (a full file system) fails here, not later.
     *
     * @param name the task's name
     * @return the new log, which {@link Launch#logFile()} then names
     * @throws IOException if it could not be created or written
     */
    Path create(String name) throws IOException;

    /**
     * Keeps new runs of {@code name} from reusing the number of a run that an earlier JVM
     * started ({@link Backend#discover()}), whose id is {@code id}.
     *
     * @param name the task's name
     * @param id the adopted run's id
     */
    void reserveRun(String name, String id);

    /**
     * Deletes the log of a run that never started. Failures are ignored.
     *
     * @param log the log
     */
    void delete(Path log);

    /**
     * Opens a log for reading, at any position.
     *
     * @param log a log of this store
     * @return the open channel
     * @throws java.nio.file.NoSuchFileException if it is gone
     * @throws IOException if it cannot be read
     */
    SeekableByteChannel read(Path log) throws IOException;

    /**
     * Looks at a log once its task has ended, and says what may be wrong with its output (the
     * file system was full, so output may be missing), noting it in the log where possible.
     * Default: nothing.
     *
     * @param log the log
     * @return the problem, for people, or empty
     */
    default Optional<String> checkAfterEnd(Path log) {
        return Optional.empty();
    }
}
