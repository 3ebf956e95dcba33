package io.github.bgtasks.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code bin/bgtasks} as a separate process, as a person at a terminal would, with this
 * build's classes ({@code BGTASKS_CLASSPATH}) and the test's own state directory, log directory
 * and tmux socket, so that each invocation finds what the earlier ones started there and nothing
 * of the user's. Not thread-safe.
 */
final class Cli {
    /** One invocation's outcome. */
    record Run(List<String> args, int code, String out, String err) {
        @Override
        public String toString() {
            return "bgtasks " + String.join(" ", args) + " -> " + code + "\nstdout:\n" + out + "stderr:\n" + err;
        }
    }

    private final Path dir;
    private final String tmuxSocket;
    /** The pid of every invocation, to check that none left a helper behind. */
    final List<Long> pids = new CopyOnWriteArrayList<>();

    Cli(Path dir, String tmuxSocket) {
        this.dir = dir;
        this.tmuxSocket = tmuxSocket;
    }

    Path stateDir() {
        return dir.resolve("state");
    }

    Path logDir() {
        return dir.resolve("logs");
    }

    /** @return what the latest invocation has printed on stdout so far */
    String lastOutput() throws IOException {
        int n = pids.size() - 1;
        Path out = dir.resolve("out-" + n + ".txt");
        return n < 0 || !Files.exists(out) ? "" : Files.readString(out, StandardCharsets.UTF_8);
    }

    /** Runs one command and waits for it (60 s at most: a hung command fails the test). */
    Run run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.put("BGTASKS_CLASSPATH", System.getProperty("java.class.path"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("BGTASKS_STATE_DIR", stateDir().toString());
        env.put("BGTASKS_LOG_DIR", logDir().toString());
        env.put("BGTASKS_TMUX_SOCKET", tmuxSocket);
        env.remove("XDG_STATE_HOME");
        int n = pids.size();
        Path out = dir.resolve("out-" + n + ".txt");
        Path err = dir.resolve("err-" + n + ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            Process p = pb.start();
            pids.add(p.pid());
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("bgtasks " + String.join(" ", args) + " did not end within 60 s; stderr:\n"
                        + Files.readString(err));
            }
            return new Run(List.of(args), p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Ends the test's tmux server, if any ran, and deletes the tmux backend's state directory for
     * its socket (every invocation opens the tmux backend to list its tasks, which creates it).
     */
    void cleanUp() throws IOException, InterruptedException {
        try {
            new ProcessBuilder("tmux", "-L", tmuxSocket, "kill-server").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            // no tmux here: no server either
        }
        Path state = Path.of(System.getProperty("java.io.tmpdir"), "bgtasks-tmux-" + System.getProperty("user.name"),
                tmuxSocket);
        if (Files.exists(state)) {
            try (java.util.stream.Stream<Path> s = Files.walk(state)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** @return {@code cli/bin/bgtasks}, found from the module's directory (the tests' working directory) */
    static Path launcher() {
        return Path.of("bin", "bgtasks").toAbsolutePath();
    }
}
