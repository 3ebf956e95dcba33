package io.github.bgtasks.examples;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.process.ProcessBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast variants of the timeout, health-checked server, watch mode and resume-monitoring
 * examples, and what they print. Every process of an example names this test's temporary
 * directory on its command line, so the test can tell that none is left running.
 */
@org.junit.jupiter.api.Timeout(value = 5, unit = TimeUnit.MINUTES)
class WorkflowExamplesTest {
    private static final Duration PATIENCE = Duration.ofMinutes(2);
    @TempDir
    Path dir;
    BackgroundTasks tasks;
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @BeforeEach
    void build() {
        tasks = BackgroundTasks.builder().backend(ProcessBackend.create()).logDirectory(dir.resolve("logs")).build();
    }

    @AfterEach
    void close() {
        tasks.close();
        // a process that got its signal may take a moment to go (a tmux server, a killed helper)
        await().atMost(PATIENCE).until(() -> running(dir.toString()).isEmpty());
        assertEquals(List.of(), running(dir.toString()), "nothing left running");
    }

    /** This test's processes still running: any whose arguments mention {@code marker}. */
    private static List<String> running(String marker) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.isAlive() && p.info().arguments().map(a -> Arrays.stream(a).anyMatch(s -> s.contains(marker)))
                        .orElse(false))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private void assertPrinted(String regex) {
        String text = printed();
        assertTrue(Pattern.compile(regex, Pattern.MULTILINE).matcher(text).find(), "no line matching " + regex + " in:\n" + text);
    }

    @Test
    void theDemoReportsEachTaskAsItEnds() {
        Demo.run(tasks, dir.resolve("logs"), out);
        assertPrinted("^started 4 tasks in parallel; logs in ");
        assertPrinted("^ok   compile SUCCEEDED \\(exit 0\\) in .*, 1 warning, 0 errors$");
        assertPrinted("^FAIL unit-tests FAILED \\(exit 1\\) in .*, 1 error\n"
                + "       error: ERROR: parsesDates failed: expected 2026 but was 1970$");
        assertPrinted("^FAIL dev-server TIMED_OUT \\(signal 15 SIGTERM\\) after .* \\(limit 2\\.0 s\\)");
        assertPrinted("^ok   platform SUCCEEDED \\(exit 0\\)");
        assertPrinted("^last lines of unit-tests \\(.*unit-tests\\.1\\.log\\):\n"
                + "  \\| running 42 tests\n  \\| ERROR: parsesDates failed");
    }

    @Test
    void theHangingMigrationIsTimedOutWithItsWholeTree() throws IOException {
        Files.createDirectories(dir);
        Timeout.Outcome o = Timeout.run(tasks, dir, out, true);
        assertEquals(TaskState.TIMED_OUT, o.result().state(), printed());
        assertEquals(3, o.tree().size(), "the shell and its two helpers: " + printed());
        assertPrinted("^started migrate\\.1, pid \\d+$");
        assertPrinted("^migrate TIMED_OUT \\(signal 15 SIGTERM\\) after .* \\(limit 2\\.0 s\\)");
        assertPrinted("^  \\| migrating \\(helpers \\d+ \\d+\\): waiting for the lock$");
        assertPrinted("^the task's process tree: \\[\\d+, \\d+, \\d+\\]$");
        assertPrinted("^processes of the tree still running: 0$");
    }

    @Test
    void theFrozenThenKilledServerRaisesAlertsNamingCheckAndEvidence() {
        HealthCheckedServer.run(tasks, dir, out, true);
        assertPrinted("^web\\.1 is serving " + Pattern.quote(dir.toString()) + " on port \\d+ \\(pid \\d+\\)$");
        assertPrinted("^froze the server with SIGSTOP$");
        // the check's own timeout or the HTTP client's, whichever comes first on this machine
        assertPrinted("^ALERT UNHEALTHY web\\.1 \\[http http://127\\.0\\.0\\.1:\\d+/\\] check 'http .*' is unhealthy: "
                + ".*(timed out after 2\\.0 s|evidence \\[GET http://127\\.0\\.0\\.1:\\d+/: .*\\])$");
        assertPrinted("^killed the server with SIGKILL$");
        assertPrinted("^ALERT FAILED web\\.1 \\[alive\\] task web\\.1 failed: web FAILED \\(signal 9 SIGKILL\\) .*\\(hint: killed by SIGKILL");
        assertPrinted("^web FAILED \\(signal 9 SIGKILL\\)");
    }

    @Test
    void eachSaveStartsOneMoreRunThatSeesIt() {
        Path src = dir.resolve("src");
        WatchMode.run(tasks, createDirectories(src), out, true);
        assertPrinted("^watching " + Pattern.quote(src.toString()) + "; the first run starts now\n"
                + "tests SUCCEEDED \\(exit 0\\) in .*\n  \\| testing:\n"
                + "saved a\\.txt\n"
                + "tests SUCCEEDED \\(exit 0\\) in .*\n  \\| testing: a\\.txt\n"
                + "saved b\\.txt\n"
                + "tests SUCCEEDED \\(exit 0\\) in .*\n  \\| testing: a\\.txt b\\.txt\n"
                + "stopped watching after tests\\.3\n");
        assertEquals(List.of("tests.1", "tests.2", "tests.3"), tasks.list().stream().map(t -> t.id()).toList());
    }

    @Test
    void aSecondJvmFindsTheTmuxTaskAndItsOutput() throws Exception {
        assumeTmux();
        String socket = "bgtasks-example-test-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            TaskResult r = ResumeMonitoring.run(socket, dir.resolve("state"), dir.resolve("tmux-logs"), out, true);
            assertEquals(TaskState.SUCCEEDED, r.state(), printed());
            String text = printed();
            long phase1 = Long.parseLong(text.replaceAll("(?s).*phase 1, pid (\\d+):.*", "$1"));
            long phase2 = Long.parseLong(text.replaceAll("(?s).*phase 2, pid (\\d+):.*", "$1"));
            assertTrue(phase1 != phase2 && phase2 == ProcessHandle.current().pid(), "two JVMs, the second this one:\n" + text);
            assertPrinted("^phase 1, pid \\d+: started release\\.1 in tmux; watch it live with: tmux -L " + socket
                    + " attach -t '=release'$");
            assertPrinted("^phase 1: exiting; the build keeps running\n"
                    + "phase 2, pid \\d+: found release\\.1 RUNNING, started .*\n"
                    + "  \\| compiling\n  \\| tests passed\n  \\| release which version\\?\n"
                    + "release SUCCEEDED \\(exit 0\\) in .*\n");
            assertPrinted("^  \\| releasing 1\\.4\\.2$");
        } finally {
            new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
        await().atMost(PATIENCE).until(() -> running(socket).isEmpty());
        assertEquals(List.of(), running(socket), "the private tmux server is gone");
    }

    /** Skips without tmux on a developer's machine; on CI ({@code CI=true}) that fails instead. */
    private static void assumeTmux() throws InterruptedException {
        boolean present;
        try {
            present = new ProcessBuilder("tmux", "-V").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (IOException e) {
            present = false;
        }
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("tmux is required on CI (scripts/setup installs it)");
        }
        assumeTrue(present, "tmux is not installed");
    }

    private static Path createDirectories(Path p) {
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
