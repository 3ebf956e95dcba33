package io.github.bgtasks;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks, before a task starts, that its program can be executed, as {@code execvp} would find it. */
final class Executables {
    private Executables() {
    }

    static void check(String program, Path workingDirectory, String path) {
        if (program.indexOf('/') >= 0) {
            checkFile(program, workingDirectory.resolve(program));
            return;
        }
        String searchPath = path != null ? path : "/usr/local/bin:/usr/bin:/bin";
        for (String dir : searchPath.split(File.pathSeparator, -1)) {
            Path candidate = (dir.isEmpty() ? workingDirectory : workingDirectory.resolve(dir)).resolve(program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return;
            }
        }
        throw new IllegalArgumentException("program '" + Text.abbreviate(program, Text.MAX_VALUE)
                + "' was not found on PATH (" + Text.abbreviate(searchPath, 1000)
                + "); install it, give its absolute path, or fix PATH in the task's environment");
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
