package io.github.bgtasks.internal.health;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The narrow view of one task that probes get: plain values only, so that the probes (in the
 * health package) need nothing of the core package. Implementations are thread-safe.
 */
public interface Target {

    /** @return the task's process id, once known */
    OptionalLong pid();

    /** @return how long the task has run (so far, or in all once it ended) */
    Duration runtime();

    /** @return true while the task is being stopped on request (it still runs) */
    boolean stopping();

    /** @return empty while the task runs; once it ended, a one-line account of its end */
    Optional<String> ended();

    /** @return the task's log, open for reading at any position */
    SeekableByteChannel openLog() throws IOException;

    /** @return the instance's error pattern */
    Pattern errorPattern();

    /** @return the instance's ticker reading, in nanoseconds */
    long nanoTime();

    /**
     * Asks the instance's hints about the task as it is now (with its exit, once it ended).
     *
     * @param lines relevant lines of its output
     * @return a hint, or empty
     */
    Optional<String> hint(List<String> lines);
}
