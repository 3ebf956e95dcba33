package io.github.bgtasks.tmux;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.CompletionListener;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What people and crashes do to tmux: the task always ends, with the reason; it never hangs. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsTest {
    /** Unique arguments that mark this class's processes. */
    private static final String M301 = Fixtures.marker();
    private static final String M302 = Fixtures.marker();
    private static final String M303 = Fixtures.marker();
    private static final String M304 = Fixtures.marker();
    private static final String M305 = Fixtures.marker();
    private static final String M306 = Fixtures.marker();
    private static final String M307 = Fixtures.marker();

    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();
    static BackgroundTasks tasks;

    @BeforeAll
    static void setUp() {
        tasks = SERVER.tasks();
    }

    @Test
    @Order(1)
    void aPersonAttachingSeesTheOutputLive() throws Exception {
        TaskHandle t = tasks.start(TaskSpec.builder("sh", "-c", "echo visible-to-people; exec cat").name("watched").build());
        await().atMost(Fixtures.PATIENCE).until(() -> t.tail(1).equals(List.of("visible-to-people")));
        String attach = t.attachCommand().orElseThrow();
        assertEquals("tmux -L " + SERVER.socket + " attach -t '=watched'", attach);
        // The session itself shows it (what capture-pane of the attached view renders).
        assertTrue(SERVER.tmux("capture-pane", "-p", "-t", "=watched:").contains("visible-to-people"));
        // A person runs the exact command in a terminal: here, a pane of another private server.
        String outer = "bgt-test-outer-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            run("tmux", "-L", outer, "-f", "/dev/null", "new-session", "-d", "-x", "100", "-y", "30", "--", "sh", "-c", attach);
            await().atMost(Fixtures.PATIENCE).until(() ->
                    SERVER.tmux("list-clients", "-F", "#{client_session}").contains("watched"));
            await().atMost(Fixtures.PATIENCE).until(() -> capture(outer).contains("visible-to-people"));
            // Typing in the attached view reaches the task, and what it prints comes back.
            run("tmux", "-L", outer, "send-keys", "-t", "=0:", "-l", "typed-by-a-person");
            run("tmux", "-L", outer, "send-keys", "-t", "=0:", "Enter");
            await().atMost(Fixtures.PATIENCE).until(() -> t.tail(3).contains("typed-by-a-person"));
        } finally {
            run("tmux", "-L", outer, "kill-server");
            java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(System.getenv().getOrDefault("TMUX_TMPDIR", "/tmp"),
                    "tmux-" + java.nio.file.Files.getAttribute(SERVER.stateDir(), "unix:uid"), outer));
        }
        assertEquals(TaskState.STOPPED, t.stop().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS).state());
    }

    private static String capture(String outer) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("tmux", "-L", outer, "capture-pane", "-p", "-t", "=0:");
        pb.environment().remove("TMUX");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    private static void run(String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("TMUX");
        Process p = pb.start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    @Order(2)
    void ctrlCFromAPersonReachesTheTask() throws Exception {
        TaskHandle t = tasks.start(TaskSpec.builder("sleep", M305).name("interrupted").build());
        await().atMost(Fixtures.PATIENCE).until(() -> !Fixtures.withMarker(M305).isEmpty());
        SERVER.tmux("send-keys", "-t", "=interrupted:", "C-c");
        TaskResult r = t.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(TaskState.FAILED, r.state(), r.toString());
        assertEquals(java.util.OptionalInt.of(2), r.signal());
    }

    @Test
    @Order(2)
    void aSessionKilledByAPersonEndsLostWithTheReason() throws Exception {
        TaskHandle keeper = tasks.start(TaskSpec.builder("sleep", M301).name("keeper").build());
        TaskHandle t = tasks.start(TaskSpec.builder("sleep", M302).name("victim").build());
        await().atMost(Fixtures.PATIENCE).until(() -> !Fixtures.withMarker(M302).isEmpty());
        SERVER.tmux("kill-session", "-t", "=victim");
        TaskResult r = t.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(TaskState.LOST, r.state(), r.toString());
        assertTrue(r.lostReason().orElseThrow().contains("session was killed"), r.toString());
        assertEquals(TaskState.RUNNING, keeper.state());
        keeper.kill().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    @Order(2)
    void aSessionKilledTheMomentItStartsEndsToo() throws Exception {
        TaskHandle keeper = tasks.start(TaskSpec.builder("sleep", M306).name("keeper2").build());
        for (int i = 0; i < 10; i++) {
            TaskHandle t = tasks.start(TaskSpec.builder("sleep", M307).name("short-lived-" + i).build());
            SERVER.tmux("kill-session", "-t", "=short-lived-" + i);
            TaskResult r = t.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(TaskState.LOST, r.state(), r.toString());
        }
        assertTrue(Fixtures.withMarker(M307).isEmpty());
        keeper.kill().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    @Order(2)
    void aLogSwappedForAFifoNeverBlocksTheTaskOrItsLogPipe(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path fifo = null;
        try (TmuxBackend backend = SERVER.backend()) {
            io.github.bgtasks.spi.Launch l = Fixtures.launch(tmp.resolve("logs"), "fifo-log", null, Duration.ofSeconds(1),
                    "sh", "-c", "echo hi; exit 6");
            fifo = l.logFile();
            java.nio.file.Files.delete(fifo);
            SERVER.run("mkfifo", fifo.toString());
            io.github.bgtasks.spi.BackendTask t = backend.launch(l);
            assertEquals(io.github.bgtasks.spi.ExitStatus.exited(6), Fixtures.await(t.exit()));
            // The log pipe did not hang opening the FIFO: it ended and marked the log complete.
            java.nio.file.Path closed = SERVER.stateDir().resolve("tasks").resolve(l.id()).resolve("closed");
            await().atMost(Fixtures.PATIENCE).until(() -> java.nio.file.Files.exists(closed));
            t.release();
        } finally {
            if (fifo != null && java.nio.file.Files.exists(fifo)) {
                // Should a writer hang on it, open it (read-write never blocks) and let it go.
                java.nio.channels.FileChannel.open(fifo, java.nio.file.StandardOpenOption.READ,
                        java.nio.file.StandardOpenOption.WRITE).close();
            }
        }
    }

    @Test
    @Order(3)
    void killingTheServerEndsEveryTaskLostAndTellsListeners() throws Exception {
        CompletionListener listener = mock(CompletionListener.class);
        TaskHandle plain = tasks.start(TaskSpec.builder("sleep", M303).name("plain").build()).addListener(listener);
        // This one ignores SIGHUP: it gets TERM, then KILL, after the grace period.
        TaskHandle stubborn = tasks.start(TaskSpec.builder("sh", "-c", "trap '' HUP TERM; sleep " + M304)
                .name("stubborn").stopGracePeriod(Duration.ofMillis(300)).build()).addListener(listener);
        await().atMost(Fixtures.PATIENCE).until(() -> !Fixtures.withMarker(M303).isEmpty()
                && !Fixtures.withMarker(M304).isEmpty());
        String pid = SERVER.tmux("display-message", "-p", "#{pid}").trim();
        SERVER.run("kill", "-KILL", pid);
        for (TaskHandle t : List.of(plain, stubborn)) {
            TaskResult r = t.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(TaskState.LOST, r.state(), r.toString());
            assertTrue(r.lostReason().orElseThrow().contains("tmux server"), r.toString());
        }
        verify(listener, timeout(Fixtures.PATIENCE.toMillis()).times(2)).onComplete(argThat(r -> r.state() == TaskState.LOST));
        assertTrue(Fixtures.withMarker(M304).isEmpty(), "the HUP-ignoring task survived");
        // The next task starts on the stale socket as if nothing had happened.
        TaskResult next = tasks.start(TaskSpec.builder("true").name("after-crash").build()).onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(TaskState.SUCCEEDED, next.state());
    }
}
