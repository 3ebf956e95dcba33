package io.github.bgtasks.benchmarks;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** POSIX shell quoting, for the command lines the harness hands to tmux. */
final class Shell {
    private Shell() {
    }

    /** @return {@code word} in single quotes, any single quote in it spelled {@code '\''} */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    static String quote(Path path) {
        return quote(path.toString());
    }

    /** @return the words quoted and joined by spaces: one simple command */
    static String join(List<String> argv) {
        return argv.stream().map(Shell::quote).collect(Collectors.joining(" "));
    }
}
