package io.github.bgtasks.tmux;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keeper: one control-mode client per backend that keeps the server running between tasks
 * and carries the starts. It goes with its JVM, it is never taken for a task, a killed one is
 * replaced without any start failing, and what it carries arrives literally.
 */
class KeeperTest {
    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();
    /** Servers of their own for tests whose server must be able to exit (no other backend's keeper on it). */
    @RegisterExtension
    static final TmuxServer PLAIN = new TmuxServer();
    @RegisterExtension
    static final TmuxServer ALONE = new TmuxServer();

    @TempDir
    Path tmp;

    @Test
    void whenItsJvmIsKilledTheKeeperGoesAndTheServerExitsWithTheLastTask() throws Exception {
        String channel = "bgt-keeper-" + UUID.randomUUID();
        Process jvm = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), KeeperJvm.class.getName(),
                ALONE.socket, tmp.resolve("state").toString(), tmp.resolve("logs").toString(), channel)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String[] ready;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
                String line = out.readLine();
                assertTrue(line != null && line.startsWith("READY "), String.valueOf(line));
                ready = line.split(" ", 3);
            }
            long client = Long.parseLong(ready[1]);
            String keeper = ready[2];
            long server = ALONE.serverPid().orElseThrow();
            assertTrue(sessions(ALONE).contains(keeper), "the keeper session is visible in tmux ls");

            jvm.destroyForcibly(); // SIGKILL: no close(), no shutdown hook
            await().atMost(Fixtures.PATIENCE).until(() -> gone(client));
            await().atMost(Fixtures.PATIENCE).until(() -> !sessions(ALONE).contains(keeper));
            // The task outlives its JVM and keeps the server running...
            assertEquals(List.of("outlives-its-jvm"), ALONE.taskSessions(), () -> diagnose(ALONE, tmp));
            assertFalse(gone(server));
            // ...until it ends: then the server exits, as without a keeper.
            ALONE.tmux("wait-for", "-S", channel);
            await().atMost(Fixtures.PATIENCE).until(() -> gone(server));
        } finally {
            jvm.destroyForcibly();
        }
    }

    @Test
    void theKeeperIsNeverATask() throws Exception {
        TmuxBackend backend = SERVER.backend();
        BackgroundTasks first = open(backend, SERVER);
        TaskHandle t = first.start(TaskSpec.builder("sleep", Fixtures.marker()).name("listed").build());
        String keeper = keeper(backend);
        assertTrue(sessions(SERVER).contains(keeper));
        assertEquals(List.of("listed"), first.list().stream().map(TaskHandle::name).toList());
        // Another instance on the same server and state finds the task, and only the task.
        BackgroundTasks second = SERVER.tasks();
        assertEquals(List.of("listed"), second.list().stream().map(TaskHandle::name).toList());
        assertEquals(TaskState.STOPPED, Fixtures.await(t.kill()).state());
    }

    @Test
    void betweenTasksTheKeeperKeepsTheServerRunning() throws Exception {
        TmuxBackend backend = SERVER.backend();
        BackgroundTasks tasks = open(backend, SERVER);
        assertEquals(TaskState.SUCCEEDED, Fixtures.await(tasks.start(TaskSpec.builder("true").name("first").build())
                .onExit()).state());
        keeper(backend);
        long server = SERVER.serverPid().orElseThrow();
        for (int i = 0; i < 5; i++) {
            String name = "alone-" + i;
            TaskResult r = Fixtures.await(tasks.start(TaskSpec.builder("true").name(name).build()).onExit());
            assertEquals(TaskState.SUCCEEDED, r.state());
            await().atMost(Fixtures.PATIENCE).until(() -> !SERVER.taskSessions().contains(name));
            assertEquals(server, SERVER.serverPid().orElseThrow(), "the server exited between tasks");
        }
    }

    @Test
    void withoutAKeeperTheServerExitsWithItsLastSessionAndTheNextTaskStartsANewOne() throws Exception {
        BackgroundTasks tasks = open(TmuxBackend.builder().socketName(PLAIN.socket).stateDirectory(PLAIN.stateDir())
                .withoutKeeper().build(), PLAIN);
        for (int i = 0; i < 5; i++) {
            TaskResult r = Fixtures.await(tasks.start(TaskSpec.builder("true").name("alone-" + i).build()).onExit());
            assertEquals(TaskState.SUCCEEDED, r.state());
            await().atMost(Fixtures.PATIENCE).until(() -> PLAIN.tmux("list-sessions").contains("no server running"));
        }
    }

    @Test
    void aKilledKeeperIsReplacedAndNoStartFails() throws Exception {
        TmuxBackend backend = SERVER.backend();
        BackgroundTasks tasks = open(backend, SERVER);
        TaskHandle alive = tasks.start(TaskSpec.builder("sleep", Fixtures.marker()).name("while-killed").build());
        long killed = client(backend);
        String killedSession = keeper(backend);
        SERVER.run("kill", "-KILL", Long.toString(killed));
        // At once, before anything may have noticed: the start goes through the dead keeper or
        // a client of its own, and either way it runs.
        TaskHandle next = tasks.start(TaskSpec.builder("sh", "-c", "exit 3").name("after-kill").build());
        assertEquals(3, Fixtures.await(next.onExit()).exitCode().orElse(-1));
        // The killed keeper's session went with its client; the next start made a new keeper.
        await().atMost(Fixtures.PATIENCE).until(() -> !sessions(SERVER).contains(killedSession));
        TaskHandle later = tasks.start(TaskSpec.builder("sh", "-c", "exit 4").name("later").build());
        assertEquals(4, Fixtures.await(later.onExit()).exitCode().orElse(-1));
        await().atMost(Fixtures.PATIENCE).until(() -> backend.tmux().keeperClient().isPresent());
        assertNotEquals(killed, client(backend));
        long channel = backend.tmux().channelCalls();
        TaskHandle through = tasks.start(TaskSpec.builder("sh", "-c", "exit 5").name("through-the-new-one").build());
        assertEquals(5, Fixtures.await(through.onExit()).exitCode().orElse(-1));
        assertEquals(channel + 1, backend.tmux().channelCalls());
        Fixtures.await(alive.kill());
    }

    @Test
    void hostileValuesGoThroughTheKeeperLiterally() throws Exception {
        Path pwned = tmp.resolve("pwned");
        String evil = "d 'q' \"dq\" $HOME $(touch " + pwned + ") `x` ; {a} } #{pid} ## ~ \\ %1 # c";
        TmuxBackend backend = TmuxBackend.builder().socketName(SERVER.socket).stateDirectory(tmp.resolve("state " + evil))
                .build();
        BackgroundTasks tasks = BackgroundTasks.builder().backend(backend).logDirectory(tmp.resolve("logs " + evil)).build();
        SERVER.opened.add(tasks);
        Fixtures.await(tasks.start(TaskSpec.builder("true").name("warm-up").build()).onExit());
        keeper(backend);
        long channel = backend.tmux().channelCalls();
        long clients = backend.tmux().calls();
        TaskHandle t = tasks.start(TaskSpec.builder("echo", "hello", evil).name("hostile").build());
        assertEquals(channel + 1, backend.tmux().channelCalls(), "the start went through the keeper");
        // No client for the start itself (a sweep or probe of the backend's may make one meanwhile:
        // LoadTest counts none over 199 starts, the bound that matters).
        assertTrue(backend.tmux().calls() <= clients + 1, "the start ran a tmux client");
        assertEquals(TaskState.SUCCEEDED, Fixtures.await(t.onExit()).state());
        assertEquals(List.of("hello " + evil), t.tail(1));
        assertTrue(t.logFile().toString().contains(evil));
        assertFalse(Files.exists(pwned));
    }

    @Test
    void aValueThatCannotBeOnAControlLineGoesThroughAClientOfItsOwn() throws Exception {
        TmuxBackend backend = TmuxBackend.builder().socketName(SERVER.socket).stateDirectory(tmp.resolve("state"))
                .build();
        BackgroundTasks tasks = BackgroundTasks.builder().backend(backend).logDirectory(tmp.resolve("logs\nline two"))
                .build();
        SERVER.opened.add(tasks);
        Fixtures.await(tasks.start(TaskSpec.builder("true").name("warm-up").build()).onExit());
        keeper(backend);
        long channel = backend.tmux().channelCalls();
        long clients = backend.tmux().calls();
        TaskHandle t = tasks.start(TaskSpec.builder("echo", "hello").name("newline").build());
        assertEquals(TaskState.SUCCEEDED, Fixtures.await(t.onExit()).state());
        assertEquals(List.of("hello"), t.tail(1));
        assertEquals(channel, backend.tmux().channelCalls());
        // At least the start's own client; a sweep or probe of the backend's may add its own meanwhile.
        assertTrue(backend.tmux().calls() >= clients + 1, "the start went through a client of its own");
    }

    @Test
    void aKeeperThatCannotStartNeverFailsAStart() throws Exception {
        // A tmux whose control mode fails: every keeper ends at once.
        Path tmux = tmp.resolve("tmux-without-control-mode");
        Files.writeString(tmux, "#!/bin/sh\nfor a; do [ \"$a\" = -C ] && { echo 'no control mode' >&2; exit 1; }; done\n"
                + "exec tmux \"$@\"\n");
        Files.setPosixFilePermissions(tmux, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        TmuxBackend backend = TmuxBackend.builder().socketName(SERVER.socket).stateDirectory(tmp.resolve("state"))
                .tmuxExecutable(tmux).build();
        BackgroundTasks tasks = open(backend, SERVER);
        for (int i = 0; i < 6; i++) {
            TaskHandle t = tasks.start(TaskSpec.builder("sh", "-c", "exit " + i).name("no-keeper-" + i).build());
            assertEquals(i, Fixtures.await(t.onExit()).exitCode().orElse(-1));
        }
        assertTrue(backend.tmux().keeperClient().isEmpty());
        assertEquals(0, backend.tmux().channelCalls());
    }

    private static BackgroundTasks open(TmuxBackend backend, TmuxServer server) {
        BackgroundTasks t = BackgroundTasks.builder().backend(backend).logDirectory(server.logDir()).build();
        server.opened.add(t);
        return t;
    }

    /** @return the session name of the backend's keeper, once it is up */
    private static String keeper(TmuxBackend backend) {
        return await().atMost(Fixtures.PATIENCE).until(() -> backend.tmux().keeperClient(), o -> o.isPresent())
                .orElseThrow().getValue();
    }

    /** @return the pid of the backend's keeper client, once it is up */
    private static long client(TmuxBackend backend) {
        return await().atMost(Fixtures.PATIENCE).until(() -> backend.tmux().keeperClient(), o -> o.isPresent())
                .orElseThrow().getKey().pid();
    }

    /** What a failed check shows: the server's sessions, the task records' files and the logs. */
    private static String diagnose(TmuxServer server, Path dir) {
        StringBuilder b = new StringBuilder();
        try {
            b.append("sessions: ").append(server.tmux("list-sessions")).append('\n');
            try (var files = Files.walk(dir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String name = f.getFileName().toString();
                    if (name.equals("exit") || name.endsWith(".log") || name.equals("started") || name.equals("closed")) {
                        b.append(f).append(": ").append(Files.readString(f)).append('\n');
                    }
                }
            }
        } catch (Exception e) {
            b.append(e);
        }
        return b.toString();
    }

    private static List<String> sessions(TmuxServer server) throws Exception {
        return server.tmux("list-sessions", "-F", "#{session_name}").lines().toList();
    }

    /** @return whether the process has exited (a zombie that nobody reaps counts as exited) */
    private static boolean gone(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
        } catch (java.io.IOException e) {
            return true;
        }
    }
}
