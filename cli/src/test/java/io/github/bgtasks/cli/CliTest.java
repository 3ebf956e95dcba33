package io.github.bgtasks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.testkit.ProcessMarkers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code bgtasks} command on the process backend, each step a separate invocation: a task
 * started by one is listed, read, waited for and stopped by the next ones, and bad input is
 * refused with a message on stderr that names it and a conventional exit code.
 *
 * <p>Tasks block reading a FIFO until the test writes to it; their shell carries a unique
 * marker as {@code $0}, which is what the process table is searched for.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CliTest {
    /** Prints {@code started-<marker>}, waits for a line on the FIFO {@code $1}, exits with {@code $2}. */
    static final String SCRIPT = "echo started-$0; read x < \"$1\"; echo bye; exit $2";

    @TempDir
    Path dir;
    Cli cli;
    private final List<String> markers = new java.util.ArrayList<>();

    @BeforeEach
    void setUp() {
        cli = new Cli(dir, "bgtasks-cli-test-" + ProcessHandle.current().pid());
    }

    @AfterEach
    void cleanUp() throws Exception {
        ProcessMarkers.killAll(markers.toArray(String[]::new));
        cli.cleanUp();
    }

    String marker() {
        String m = ProcessMarkers.marker();
        markers.add(m);
        return m;
    }

    @Test
    void aTaskStartedByOneInvocationIsListedReadWaitedForAndStoppedByTheNext() throws Exception {
        String serverMarker = marker();
        String workerMarker = marker();
        Path serverFifo = fifo("server");
        Path workerFifo = fifo("worker");

        Cli.Run start = cli.run("start", "--name", "server", "--", "sh", "-c", SCRIPT, serverMarker, serverFifo.toString(), "3");
        assertEquals(0, start.code(), start.toString());
        assertTrue(start.out().startsWith("server.1 started (pid "), start.toString());
        Cli.Run second = cli.run("start", "--name", "worker", "--ready", "log:started-", "--", "sh", "-c", SCRIPT,
                workerMarker, workerFifo.toString(), "0");
        assertEquals(0, second.code(), second.toString());
        assertTrue(second.out().contains("worker.1 is ready"), second.toString());
        // Both run on after the commands that started them have ended.
        ProcessMarkers.awaitRunning(Duration.ofSeconds(30), serverMarker, workerMarker);

        Cli.Run list = cli.run("list");
        assertEquals(0, list.code(), list.toString());
        List<String> lines = list.out().lines().toList();
        assertEquals(List.of("NAME", "BACKEND", "STATE", "RUNTIME", "PID", "HEALTH", "LAST", "LINE"),
                List.of(lines.get(0).split("\\s+")), list.toString());
        long serverPid = ProcessMarkers.withAnyArgument(serverMarker).get(0).pid();
        assertRow(lines.get(1), "server", "process", "RUNNING", Long.toString(serverPid), "started-" + serverMarker);
        assertRow(lines.get(2), "worker", "process", "RUNNING", null, "started-" + workerMarker);

        Cli.Run once = cli.run("board", "--once");
        assertEquals(0, once.code(), once.toString());
        assertTrue(once.out().lines().anyMatch(l -> l.contains(" server ") && l.contains("running")), once.toString());

        Cli.Run logs = cli.run("logs", "server");
        assertEquals(List.of("started-" + serverMarker), logs.out().lines().toList(), logs.toString());
        Cli.Run last = cli.run("logs", "-n", "1", "worker");
        assertEquals(List.of("started-" + workerMarker), last.out().lines().toList(), last.toString());

        Cli.Run stop = cli.run("stop", "worker");
        assertEquals(0, stop.code(), stop.toString());
        assertTrue(stop.out().startsWith("worker STOPPED (signal 15 SIGTERM)"), stop.toString());
        ProcessMarkers.awaitGone(Duration.ofSeconds(30), workerMarker);

        Files.writeString(serverFifo, "go\n"); // the server exits with 3, while no command runs
        ProcessMarkers.awaitGone(Duration.ofSeconds(30), serverMarker);
        Cli.Run waited = cli.run("wait", "server");
        assertEquals(3, waited.code(), "wait exits with the task's status: " + waited);
        assertTrue(waited.out().startsWith("server FAILED (exit 3)"), waited.toString());
        Cli.Run follow = cli.run("logs", "-f", "server"); // an ended task: prints all and returns
        assertEquals(List.of("started-" + serverMarker, "bye"), follow.out().lines().toList(), follow.toString());

        Cli.Run ended = cli.run("list");
        List<String> rows = ended.out().lines().toList();
        assertRow(rows.get(1), "server", "process", "FAILED", Long.toString(serverPid), "bye");
        assertRow(rows.get(2), "worker", "process", "FAILED", null, "started-" + workerMarker); // ended by SIGTERM
        Cli.Run board = cli.run("board"); // every task has ended: the final board, and back
        assertEquals(0, board.code(), board.toString());
        assertTrue(board.out().lines().anyMatch(l -> l.contains(" server ") && l.contains("FAILED (exit 3)")),
                board.toString());
        Cli.Run clean = cli.run("clean");
        assertEquals("removed 2 finished tasks", clean.out().strip(), clean.toString());
        assertEquals(1, cli.run("list").out().lines().count(), "only the header is left");
        try (var left = Files.list(cli.stateDir().resolve("tasks"))) {
            assertEquals(List.of(), left.toList(), "clean deletes the records");
        }
        assertNoHelperLeft();
    }

    @Test
    void logsFollowsARunningTaskUntilItEnds() throws Exception {
        String m = marker();
        Path fifo = fifo("followed");
        assertEquals(0, cli.run("start", "--name", "followed", "--", "sh", "-c", SCRIPT, m, fifo.toString(), "0").code());
        ProcessMarkers.awaitRunning(Duration.ofSeconds(30), m);
        Cli.Run send = cli.run("send", "followed", "hello");
        assertEquals(1, send.code(), send.toString());
        assertEquals("bgtasks: could not send input to task followed.1: task followed.1 was started detached by an"
                + " earlier JVM; its standard input stayed with that JVM, so nothing can be sent to it from here",
                send.err().strip());
        java.util.concurrent.CompletableFuture<Cli.Run> follow = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> cli.run("logs", "-f", "followed"));
        // the follower has printed the first line before the task goes on
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> cli.lastOutput().contains("started-" + m));
        assertTrue(!follow.isDone(), "logs -f waits while the task runs");
        Files.writeString(fifo, "go\n");
        Cli.Run r = follow.get(60, TimeUnit.SECONDS);
        assertEquals(0, r.code(), r.toString());
        assertEquals(List.of("started-" + m, "bye"), r.out().lines().toList(), r.toString());
        cli.run("clean");
        assertNoHelperLeft();
    }

    @Test
    void theHelperEnforcesTheTimeoutWhileNoCommandRuns() throws Exception {
        String m = marker();
        Path fifo = fifo("slow");
        Cli.Run start = cli.run("start", "--name", "slow", "--timeout", "1s", "--", "sh", "-c", SCRIPT, m,
                fifo.toString(), "0");
        assertEquals(0, start.code(), start.toString());
        ProcessMarkers.awaitGone(Duration.ofSeconds(30), m); // ended by the helper: no JVM of ours runs
        Cli.Run waited = cli.run("wait", "slow");
        assertEquals(124, waited.code(), waited.toString());
        assertTrue(waited.out().startsWith("slow TIMED_OUT"), waited.toString());
        cli.run("clean");
        assertNoHelperLeft();
    }

    @Test
    void badInputIsRefusedWithTheValueOnStderrAndAnExitCode() {
        Cli.Run unknown = cli.run("logs", "nope");
        assertEquals(1, unknown.code(), unknown.toString());
        assertEquals("bgtasks: no task named 'nope'; 'bgtasks list' shows the tasks", unknown.err().strip());
        assertEquals("", unknown.out());
        for (String command : List.of("stop", "kill", "wait", "send")) {
            Cli.Run r = command.equals("send") ? cli.run(command, "nope", "text") : cli.run(command, "nope");
            assertEquals(1, r.code(), r.toString());
            assertTrue(r.err().contains("no task named 'nope'"), r.toString());
        }

        Cli.Run duration = cli.run("start", "--timeout", "5x", "--", "true");
        assertEquals(2, duration.code(), duration.toString());
        assertTrue(duration.err().startsWith("bgtasks start: Invalid value for option '--timeout': '5x' is not a"
                + " duration; write it as 30s, 5m, 1h30m, 500ms, 2d or PT5M"), duration.toString());
        assertTrue(duration.err().contains("Try 'bgtasks start --help'"), duration.toString());

        Cli.Run dashes = cli.run("start", "--name", "x", "sleep", "5");
        assertEquals(2, dashes.code(), dashes.toString());
        assertTrue(dashes.err().startsWith("bgtasks: put '--' before the command, so that its options are not taken"
                + " for ours: bgtasks start [options] -- sleep 5"), dashes.toString());

        Cli.Run nothing = cli.run("start", "--");
        assertEquals(2, nothing.code(), nothing.toString());
        assertTrue(nothing.err().startsWith("bgtasks: no command after '--'"), nothing.toString());

        Cli.Run backend = cli.run("start", "--backend", "docker", "--", "true");
        assertEquals(2, backend.code(), backend.toString());
        assertTrue(backend.err().startsWith("bgtasks: unknown backend 'docker'; use process or tmux"), backend.toString());

        Cli.Run option = cli.run("list", "--colour");
        assertEquals(2, option.code(), option.toString());
        assertTrue(option.err().startsWith("bgtasks list: Unknown option: '--colour'"), option.toString());

        Cli.Run ready = cli.run("start", "--ready", "tcp:80", "--", "true");
        assertEquals(2, ready.code(), ready.toString());
        assertTrue(ready.err().startsWith("bgtasks: invalid --ready 'tcp:80'"), ready.toString());

        Cli.Run program = cli.run("start", "--", "no-such-program-" + ProcessHandle.current().pid());
        assertEquals(1, program.code(), program.toString());
        assertTrue(program.err().contains("no-such-program-"), program.toString());

        Cli.Run none = cli.run();
        assertEquals(2, none.code(), none.toString());
        assertTrue(none.err().startsWith("bgtasks: give a command"), none.toString());
        assertNoHelperLeft();
    }

    @Test
    void aStateDirectoryOpenToOthersIsRefused() throws Exception {
        Files.createDirectories(cli.stateDir());
        Files.setPosixFilePermissions(cli.stateDir(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxr-x"));
        Cli.Run r = cli.run("start", "--", "true");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().startsWith("bgtasks: the process backend cannot be used: the state directory "
                + cli.stateDir() + ", is not private to"), r.toString());
        assertTrue(r.err().contains("chmod 700 " + cli.stateDir()), r.toString());
    }

    @Test
    void helpIsThereForEveryCommandAndCompletionIsGenerated() {
        for (String command : List.of("start", "list", "logs", "send", "stop", "kill", "wait", "attach", "clean", "board")) {
            Cli.Run r = cli.run(command, "--help");
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().startsWith("Usage: bgtasks " + command), r.toString());
        }
        Cli.Run completion = cli.run("generate-completion");
        assertEquals(0, completion.code(), completion.toString());
        assertTrue(completion.out().contains("complete -F _complete_bgtasks"), completion.out());
    }

    /** Checks a row of {@code list}: name, backend, state, pid (if given) and last line. */
    static void assertRow(String row, String name, String backend, String state, String pid, String lastLine) {
        String[] f = row.split("\\s+", 7);
        assertEquals(name, f[0], row);
        assertEquals(backend, f[1], row);
        assertEquals(state, f[2], row);
        if (pid != null) {
            assertEquals(pid, f[4], row);
        }
        assertEquals("-", f[5], row);
        assertEquals(lastLine, f[6], row);
    }

    /** No helper of any of our invocations runs any more: nothing of ours is left once nothing is detached. */
    void assertNoHelperLeft() {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> ProcessMarkers.all().stream().noneMatch(p -> cli.pids.stream().anyMatch(
                        pid -> String.join(" ", p.argv()).contains("bgtasks-spawner (java pid " + pid + ")"))));
    }

    Path fifo(String name) throws Exception {
        Path p = dir.resolve(name + ".fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor());
        return p;
    }
}
