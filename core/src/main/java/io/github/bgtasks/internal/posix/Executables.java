package io.github.bgtasks.internal.posix;

import io.github.bgtasks.internal.Text;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds programs as {@code execvp} does: a name with a slash is a path (relative to the working
 * directory), any other name is looked up in each directory of {@code PATH} in turn (an empty
 * entry means the working directory).
 *
 * <p><b>Not API.</b> This class is thread-safe.
 */
public final class Executables {
    /** The search path {@code execvp} uses when {@code PATH} is not set. */
    public static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

    private Executables() {
    }

    /**
     * Finds a program on a search path.
     *
     * @param program a program name without slash, such as {@code perl}
     * @param workingDirectory what relative and empty entries of the path are resolved against
     * @param path the search path ({@code PATH}), or {@code null} for {@link #DEFAULT_PATH}
     * @return the first regular, executable file of that name, or empty
     */
    public static Optional<Path> find(String program, Path workingDirectory, String path) {
        String searchPath = path != null ? path : DEFAULT_PATH;
        for (String dir : searchPath.split(File.pathSeparator, -1)) {
            Path candidate = (dir.isEmpty() ? workingDirectory : workingDirectory.resolve(dir)).resolve(program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Checks, before a task starts, that its program can be executed.
     *
     * @param program the program, {@code argv[0]}
     * @param workingDirectory the task's working directory, absolute
     * @param path the task's {@code PATH}, or {@code null} if it has none
     * @throws IllegalArgumentException if it cannot be found or run; the message names it and says what to do
     */
    public static void check(String program, Path workingDirectory, String path) {
        if (program.indexOf('/') >= 0) {
            checkFile(program, workingDirectory.resolve(program));
            return;
        }
        if (find(program, workingDirectory, path).isEmpty()) {
            throw new IllegalArgumentException("program '" + Text.abbreviate(program, Text.MAX_VALUE)
                    + "' was not found on PATH (" + Text.abbreviate(path != null ? path : DEFAULT_PATH, 1000)
                    + "); install it, give its absolute path, or fix PATH in the task's environment");
        }
    }

    private static void checkFile(String fullProgram, Path file) {
        String program = Text.abbreviate(fullProgram, Text.MAX_VALUE);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("program '" + program + "' does not exist (looked at "
                    + Text.abbreviate(file.toString(), Text.MAX_VALUE) + ")");
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("program '" + program + "' is a directory, not a program");
        }
        if (!Files.isExecutable(file)) {
            throw new IllegalArgumentException("program '" + program + "' is not executable; check its permissions (chmod +x)");
        }
    }
}
