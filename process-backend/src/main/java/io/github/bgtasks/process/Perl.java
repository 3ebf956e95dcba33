package io.github.bgtasks.process;

import io.github.bgtasks.internal.posix.Executables;
import java.io.File;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the Perl interpreter that runs the spawner. */
final class Perl {
    /** Searched after {@code PATH}: where every system that has Perl keeps it. */
    private static final String SYSTEM_DIRS = "/usr/bin:/bin";

    private Perl() {
    }

    /** @return the JVM's {@code PATH} and then the system directories: where Perl is looked for */
    static String searchPath() {
        String path = System.getenv("PATH");
        return (path == null || path.isEmpty() ? "" : path + File.pathSeparator) + SYSTEM_DIRS;
    }

    /**
     * @param searchPath the directories to look in
     * @return the first {@code perl} there, or empty
     */
    static Optional<Path> locate(String searchPath) {
        return Executables.find("perl", Path.of("/"), searchPath);
    }

    /** @return Perl on the {@linkplain #searchPath() search path} */
    static Path find() {
        return find(searchPath());
    }

    /**
     * @param searchPath the directories to look in
     * @return the first {@code perl} there
     * @throws IllegalStateException if there is none; the message says what to install
     */
    static Path find(String searchPath) {
        return locate(searchPath).orElseThrow(() -> new IllegalStateException(missing(searchPath)
                + "; install it (Debian/Ubuntu: apt-get install perl-base, Alpine: apk add perl)"));
    }

    /** @return "perl was not found on ..." for messages */
    static String missing(String searchPath) {
        return "perl was not found on PATH (" + searchPath + ")";
    }
}
