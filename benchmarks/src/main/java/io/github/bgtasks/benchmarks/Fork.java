package io.github.bgtasks.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of this module in a fresh JVM with the same class path, and collects the
 * {@code key=value} lines it prints. Used where one measurement would otherwise inherit
 * another's threads.
 */
final class Fork {
    private static final long LIMIT_MINUTES = 5;

    private Fork() {
    }

    static Map<String, String> run(Class<?> main, String... args) throws IOException, InterruptedException {
        Process p = start(main, args);
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(LIMIT_MINUTES, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(main.getSimpleName() + " " + List.of(args) + " ran over "
                    + LIMIT_MINUTES + " minutes");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(main.getSimpleName() + " " + List.of(args) + " exited with "
                    + p.exitValue() + "; its output:\n" + out);
        }
        Map<String, String> values = new LinkedHashMap<>();
        out.lines().filter(l -> l.contains("=")).forEach(l -> {
            int eq = l.indexOf('=');
            values.put(l.substring(0, eq), l.substring(eq + 1));
        });
        return values;
    }

    /**
     * Starts {@code main} in a fresh JVM with this one's class path; its stderr goes to ours,
     * its stdin and stdout are the caller's to use.
     */
    static Process start(Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"),
                main.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
