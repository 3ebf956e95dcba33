package io.github.bgtasks.internal.health;

import io.github.bgtasks.TaskHandle;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.util.regex.Pattern;

/** The narrow view of one task that probes get. Implementations are thread-safe. */
public interface Target {

    /** @return the task */
    TaskHandle task();

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
    java.util.Optional<String> hint(java.util.List<String> lines);
}
