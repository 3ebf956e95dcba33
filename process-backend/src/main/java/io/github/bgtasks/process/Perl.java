package io.github.bgtasks.process;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the Perl interpreter that runs the spawner. */
final class Perl {
    private Perl() {
    }

    static Path find() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : (path + File.pathSeparator + "/usr/bin:/bin").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path perl = Path.of(dir, "perl");
                if (Files.isRegularFile(perl) && Files.isExecutable(perl)) {
                    return perl;
                }
            }
        }
        throw new IllegalStateException("the bgtasks process backend needs perl, which was not found on PATH ("
                + path + "); install it (Debian/Ubuntu: apt-get install perl-base, Alpine: apk add perl)");
    }
}
