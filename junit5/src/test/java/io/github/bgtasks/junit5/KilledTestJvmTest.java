package io.github.bgtasks.junit5;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.junit5.samples.ChildLauncher;
import io.github.bgtasks.junit5.samples.KilledJvmSample;
import io.github.bgtasks.testkit.ProcessMarkers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test JVM killed with SIGKILL while a class's tasks run (no afterAll, no shutdown hook): the
 * process backend's helper stops the whole task tree. The child JVM runs
 * {@link KilledJvmSample} with the JUnit Platform launcher.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KilledTestJvmTest {

    @Test
    void theTasksOfAKilledTestJvmAreStopped(@TempDir Path dir) throws Exception {
        String marker = ProcessMarkers.marker();
        Path stderr = dir.resolve("child-stderr.txt");
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dsample.marker=" + marker,
                "-cp", System.getProperty("java.class.path"), ChildLauncher.class.getName(), KilledJvmSample.class.getName())
                .redirectError(stderr.toFile())
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String l = out.readLine(); l != null; l = out.readLine()) {
                        if (l.startsWith("test running")) {
                            return l;
                        }
                    }
                    return null;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(1, TimeUnit.MINUTES);
            assertTrue(line != null, () -> "the child JVM ended before its test ran; its stderr:\n" + read(stderr));
            ProcessMarkers.awaitRunning(Duration.ofSeconds(30), marker);
            List<ProcessMarkers.Proc> tree = ProcessMarkers.withAnyArgument(marker);
            assertTrue(tree.size() == 2, () -> "a shell and its sleep:" + ProcessMarkers.describe(tree));

            child.destroyForcibly(); // SIGKILL: no afterAll, no shutdown hook
            assertTrue(child.waitFor(1, TimeUnit.MINUTES));

            ProcessMarkers.awaitGone(Duration.ofSeconds(30), marker);
        } finally {
            child.destroyForcibly();
            ProcessMarkers.killAll(marker);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
