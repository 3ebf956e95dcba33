package io.github.bgtasks.health;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One known cause of trouble, turned into one line for people ("suggest a fix"). Hints are
 * asked in order by {@link Hints}; the first that answers wins. Implementations must be fast
 * and thread-safe, and should not throw (what they throw is logged and skipped).
 */
@FunctionalInterface
public interface Hint {

    /**
     * Explains the facts, if this hint recognises them.
     *
     * @param facts what is known about the task's end or trouble
     * @return one line, or empty
     */
    Optional<String> explain(Facts facts);

    /**
     * What a hint may look at. This record is immutable and thread-safe.
     *
     * @param program the program ({@code argv[0]})
     * @param path the task's {@code PATH}, or empty if not known
     * @param exitCode the exit code, if the task exited
     * @param signal the signal that ended the task, if one did
     * @param signalledByBgtasks whether bgtasks itself sent the ending signal (a stop or timeout)
     * @param lines relevant lines of the task's output: its last lines, oldest first
     */
    record Facts(String program, String path, OptionalInt exitCode, OptionalInt signal, boolean signalledByBgtasks,
            List<String> lines) {
        /** Copies the lines; rejects nulls. */
        public Facts {
            Objects.requireNonNull(program, "program must not be null");
            Objects.requireNonNull(path, "path must not be null");
            Objects.requireNonNull(exitCode, "exitCode must not be null");
            Objects.requireNonNull(signal, "signal must not be null");
            lines = List.copyOf(lines);
        }
    }
}
