package io.github.bgtasks.tmux;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskStartException;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.tmux.internal.Timing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tmux server that does not answer (here: stopped with SIGSTOP while a start is in flight;
 * tmux still carries out a command whose client was killed meanwhile). A start either returns
 * a task that runs and is tracked, or throws and its command never runs: never both. Both
 * ways a start reaches tmux are checked: through the keeper's control client, and through a
 * tmux client of its own (before the keeper is up, or without one).
 */
class SlowTmuxTest {
    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();
    static BackgroundTasks viaKeeper;
    static BackgroundTasks viaClients;
    static TmuxBackend keeperBackend;
    static volatile String keeperName;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() {
        // A short no-progress limit, so that the stopped server counts as wedged soon.
        keeperBackend = TmuxBackend.builder().socketName(SERVER.socket).stateDirectory(SERVER.stateDir())
                .timing(Timing.DEFAULT.withNoProgress(Duration.ofSeconds(1))).build();
        viaKeeper = BackgroundTasks.builder().backend(keeperBackend).logDirectory(SERVER.logDir()).build();
        SERVER.opened.add(viaKeeper);
        viaClients = BackgroundTasks.builder().backend(TmuxBackend.builder().socketName(SERVER.socket)
                .stateDirectory(SERVER.stateDir()).timing(Timing.DEFAULT.withNoProgress(Duration.ofSeconds(1)))
                .withoutKeeper().build()).logDirectory(SERVER.logDir()).build();
        SERVER.opened.add(viaClients);
    }

    @ParameterizedTest(name = "through the keeper: {0}")
    @ValueSource(booleans = {true, false})
    void aStartWhoseClientGaveUpEitherRunsTrackedOrNeverRuns(boolean keeper) throws Exception {
        String name = "late-1-" + keeper;
        TaskHandle alive = onStoppedServer(keeper, name, start -> {
            // Its client has sent new-session and waits for the stopped server...
            await().atMost(Fixtures.PATIENCE).until(() -> client(keeper, name).map(h -> state(h) == 'S').orElse(false));
            // ...until the backend gives up on it and kills it. The server resumes now, while the
            // start is still deciding: it creates the session of a client that is gone.
            await().atMost(Fixtures.PATIENCE).until(() -> client(keeper, name).isEmpty() || start.isDone());
        });
        alive.kill().get();
    }

    @ParameterizedTest(name = "through the keeper: {0}")
    @ValueSource(booleans = {true, false})
    void aStartOnAStoppedServerThrowsAndItsLateSessionRunsNothing(boolean keeper) throws Exception {
        BackgroundTasks tasks = keeper ? viaKeeper : viaClients;
        String name = "late-2-" + keeper;
        TaskHandle alive = onStoppedServer(keeper, name, start -> {
            // The server stays stopped until start() has given up, question included.
            ExecutionException e = assertThrows(ExecutionException.class, () -> Fixtures.await(start));
            assertInstanceOf(TaskStartException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("made any progress"), e.getCause().getMessage());
        });
        // The name is free again, and a start on the resumed server works.
        TaskHandle again = tasks.start(TaskSpec.builder("sh", "-c", "exit 4").name(name).build());
        assertEquals(4, Fixtures.await(again.onExit()).exitCode().orElse(-1));
        alive.kill().get();
    }

    /** What a test checks while the server is stopped, given the start in flight. */
    private interface WhileStopped {
        void check(CompletableFuture<TaskHandle> start) throws Exception;
    }

    /**
     * Starts the task {@code name} while the server is stopped (a task started first keeps the
     * server alive), runs {@code whileStopped}, resumes the server, and checks that the start
     * either returned a task that runs and is tracked, or threw and its command never runs.
     *
     * @return the task started first, still running, so that later checks use the same server
     */
    private TaskHandle onStoppedServer(boolean keeper, String name, WhileStopped whileStopped) throws Exception {
        BackgroundTasks tasks = keeper ? viaKeeper : viaClients;
        TaskHandle alive = tasks.start(TaskSpec.builder("sleep", Fixtures.marker()).name("alive-" + name).build());
        if (keeper) {
            // The start below goes through the keeper only once it is up.
            await().atMost(Fixtures.PATIENCE).until(() -> keeperBackend.tmux().keeperClient().isPresent());
            keeperName = keeperBackend.tmux().keeperClient().orElseThrow().getValue();
        }
        long server = SERVER.serverPid().orElseThrow();
        Path ran = tmp.resolve("ran");
        String marker = Fixtures.marker();
        CompletableFuture<TaskHandle> start;
        SERVER.run("kill", "-STOP", Long.toString(server));
        try {
            start = startAsync(tasks, name, ran, marker);
            whileStopped.check(start);
        } finally {
            SERVER.run("kill", "-CONT", Long.toString(server));
        }
        assertRunsTrackedOrNeverRuns(tasks, start, name, ran, marker);
        return alive;
    }

    private static CompletableFuture<TaskHandle> startAsync(BackgroundTasks tasks, String name, Path ran, String marker) {
        return CompletableFuture.supplyAsync(() -> tasks.start(TaskSpec.builder("sh", "-c",
                "touch \"$1\"; exec sleep " + marker, "sh", ran.toString()).name(name).build()));
    }

    private static void assertRunsTrackedOrNeverRuns(BackgroundTasks tasks, CompletableFuture<TaskHandle> start,
            String name, Path ran, String marker) throws Exception {
        TaskHandle t;
        try {
            t = Fixtures.await(start);
        } catch (ExecutionException | CompletionException e) {
            t = null;
            assertInstanceOf(TaskStartException.class, e.getCause());
        }
        // Whatever the server was sent, it has done it once it answers this.
        SERVER.tmux("list-sessions");
        if (t != null) {
            assertEquals(Optional.of(t), tasks.find(name));
            await().atMost(Fixtures.PATIENCE).until(() -> Files.exists(ran));
            assertEquals(TaskState.RUNNING, t.state());
            assertEquals(TaskState.STOPPED, Fixtures.await(t.kill()).state());
        } else {
            assertTrue(tasks.find(name).isEmpty());
            // Should tmux have created the session, it ends by itself, having run nothing.
            await().atMost(Fixtures.PATIENCE).until(() -> !sessions().contains(name));
            assertFalse(Files.exists(ran), "start() threw, yet the command ran");
            assertTrue(Fixtures.withMarker(marker).isEmpty(), "start() threw, yet the command runs");
            assertTrue(Files.notExists(SERVER.logDir().resolve(name + ".1.log")), "the log of a failed start came back");
        }
    }

    private static List<String> sessions() throws Exception {
        return SERVER.tmux("list-sessions", "-F", "#{session_name}").lines().toList();
    }

    /**
     * @return the tmux client that carries the start, if it runs: the keeper's control client
     *     (found by its session's name: the backend forgets it once it gives it up), or the
     *     client of its own that creates the session
     */
    private static Optional<ProcessHandle> client(boolean keeper, String name) {
        String carrier = keeper ? keeperName : name;
        return ProcessHandle.current().descendants().filter(h -> h.info().arguments()
                .map(a -> List.of(a).contains("new-session") && List.of(a).contains(carrier)).orElse(false)).findFirst();
    }

    private static char state(ProcessHandle h) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
            return s.charAt(s.lastIndexOf(')') + 2);
        } catch (Exception e) {
            return '?';
        }
    }
}
