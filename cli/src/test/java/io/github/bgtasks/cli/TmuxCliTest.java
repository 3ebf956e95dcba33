package io.github.bgtasks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.testkit.ProcessMarkers;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code bgtasks} command on the tmux backend, each step a separate invocation, on a private
 * tmux server ({@code -L} with a name of this test's own), killed afterwards. Skipped where tmux
 * is missing, except on CI ({@code CI=true}), where that fails.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TmuxCliTest {
    @TempDir
    Path dir;
    Cli cli;
    String socket;
    private final List<String> markers = new java.util.ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        boolean present;
        try {
            present = new ProcessBuilder("tmux", "-V").start().waitFor() == 0;
        } catch (IOException e) {
            present = false;
        }
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("tmux is required on CI");
        }
        Assumptions.assumeTrue(present, "tmux is not installed");
        socket = "bgtasks-cli-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        cli = new Cli(dir, socket);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (socket == null) {
            return;
        }
        cli.cleanUp();
        ProcessMarkers.killAll(markers.toArray(String[]::new));
    }

    String marker() {
        String m = ProcessMarkers.marker();
        markers.add(m);
        return m;
    }

    @Test
    void aTmuxTaskStartedByOneInvocationTakesInputAndIsWaitedForAndStoppedByTheNext() throws Exception {
        String repl = marker();
        String idle = marker();
        Cli.Run start = cli.run("start", "--backend", "tmux", "--name", "repl", "--ready", "log:ready-", "--", "sh", "-c",
                "echo ready-$0; read line; echo got-$line; exit 5", repl);
        assertEquals(0, start.code(), start.toString());
        assertTrue(start.out().startsWith("repl.1 started (pid "), start.toString());
        Cli.Run second = cli.run("start", "--backend", "tmux", "--name", "idle", "--", "sh", "-c",
                "echo idle-$0; exec sleep \"$0\"", idle);
        assertEquals(0, second.code(), second.toString());
        ProcessMarkers.awaitRunning(Duration.ofSeconds(30), repl, idle);

        Cli.Run clash = cli.run("start", "--name", "idle", "--", "true");
        assertEquals(1, clash.code(), clash.toString());
        assertTrue(clash.err().startsWith("bgtasks: a task named 'idle' runs already (idle.1 on the tmux backend)"),
                clash.toString());

        Cli.Run list = cli.run("list");
        List<String> rows = list.out().lines().toList();
        assertEquals(3, rows.size(), list.toString());
        CliTest.assertRow(rows.get(1), "repl", "tmux", "RUNNING", null, "ready-" + repl);
        assertTrue(rows.get(2).startsWith("idle"), list.toString());

        Cli.Run send = cli.run("send", "repl", "hello");
        assertEquals(0, send.code(), send.toString());
        Cli.Run waited = cli.run("wait", "repl");
        assertEquals(5, waited.code(), waited.toString());
        assertTrue(waited.out().startsWith("repl FAILED (exit 5)"), waited.toString());
        Cli.Run logs = cli.run("logs", "repl");
        assertTrue(logs.out().lines().anyMatch(l -> l.strip().equals("got-hello")), logs.toString());

        Cli.Run attachEnded = cli.run("attach", "repl");
        assertEquals(1, attachEnded.code(), attachEnded.toString());
        assertTrue(attachEnded.err().startsWith("bgtasks: task repl.1 has ended"), attachEnded.toString());

        Cli.Run stop = cli.run("stop", "idle");
        assertEquals(0, stop.code(), stop.toString());
        assertTrue(stop.out().startsWith("idle STOPPED"), stop.toString());
        ProcessMarkers.awaitGone(Duration.ofSeconds(30), repl, idle);

        Cli.Run clean = cli.run("clean");
        assertEquals("removed 2 finished tasks", clean.out().strip(), clean.toString());
    }

    @Test
    void attachRefusesAProcessTask() throws Exception {
        String m = marker();
        Cli.Run start = cli.run("start", "--name", "plain", "--", "sleep", m);
        assertEquals(0, start.code(), start.toString());
        Cli.Run attach = cli.run("attach", "plain");
        assertEquals(1, attach.code(), attach.toString());
        assertEquals("bgtasks: task plain.1 runs on the process backend, which has no terminal to attach to; follow"
                + " its output with: bgtasks logs -f plain", attach.err().strip());
        Cli.Run kill = cli.run("kill", "plain");
        assertEquals(0, kill.code(), kill.toString());
        assertTrue(kill.out().startsWith("plain STOPPED (signal 9 SIGKILL)"), kill.toString());
        ProcessMarkers.awaitGone(Duration.ofSeconds(30), m);
        cli.run("clean");
    }
}
