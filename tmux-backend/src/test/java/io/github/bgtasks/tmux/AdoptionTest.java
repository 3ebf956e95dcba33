package io.github.bgtasks.tmux;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tasks outlive the JVM that started them, and a later JVM finds them again. */
class AdoptionTest {
    /** Unique arguments that mark this class's processes. */
    private static final String M401 = Fixtures.marker();

    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();

    @Test
    void aSecondJvmAdoptsRunningAndFinishedTasks() throws Exception {
        Process first = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), FirstJvm.class.getName(),
                SERVER.socket, SERVER.stateDir().toString(), SERVER.logDir().toString(), M401)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(first.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(first.waitFor(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(0, first.exitValue(), out);
        String[] ids = out.substring(out.lastIndexOf('\n') + 1).split(" ");
        // Both of these end while no JVM watches (the timeout is enforced by the wrapper alone).
        for (String id : List.of(ids[1], ids[2])) {
            await().atMost(Fixtures.PATIENCE).until(() -> Files.exists(SERVER.stateDir().resolve("tasks").resolve(id).resolve("exit")));
        }

        BackgroundTasks second = SERVER.tasks();
        assertEquals(List.of(ids[0], ids[1], ids[2]), second.list().stream().map(TaskHandle::id).toList());
        TaskHandle survivor = second.find("survivor").orElseThrow();
        assertEquals(TaskState.RUNNING, survivor.state());
        assertEquals(List.of("sh", "-c", "echo started; read -r l; echo \"got:$l\"; exit 7"), survivor.command());
        assertTrue(survivor.pid().isPresent());
        assertTrue(survivor.runtime().compareTo(Duration.ZERO) > 0);
        await().atMost(Fixtures.PATIENCE).until(() -> survivor.tail(1).equals(List.of("started")));
        assertEquals("tmux -L " + SERVER.socket + " attach -t '=survivor'", survivor.attachCommand().orElseThrow());

        TaskResult meanwhile = second.find("meanwhile").orElseThrow().onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(TaskState.FAILED, meanwhile.state());
        assertEquals(OptionalInt.of(5), meanwhile.exitCode());
        assertEquals(TaskState.TIMED_OUT, second.find("timed").orElseThrow().onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS).state());
        assertTrue(Fixtures.withMarker(M401).isEmpty());

        survivor.send("go");
        TaskResult r = survivor.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(OptionalInt.of(7), r.exitCode(), r.toString());
        assertEquals(List.of("got:go"), survivor.tail(1));

        // Removing a task forgets its state; the log stays.
        second.remove(survivor);
        assertTrue(Files.notExists(SERVER.stateDir().resolve("tasks").resolve(ids[0])));
        assertTrue(Files.exists(r.logFile()));
    }
}
