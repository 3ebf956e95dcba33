package io.github.bgtasks.tmux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two JVMs on one socket: only the one that started a task (or took it over) deletes its state. */
class OwnershipTest {
    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();

    @Test
    void anInstanceThatOnlyWatchesATaskNeverDeletesTheStateItsOwnerNeeds() throws Exception {
        String channel = "bgt-go-" + UUID.randomUUID();
        Process a = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), OwnerJvm.class.getName(),
                SERVER.socket, SERVER.stateDir().toString(), SERVER.logDir().toString(), channel)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(a.getInputStream(), StandardCharsets.UTF_8))) {
            String started = out.readLine();
            assertTrue(started != null && started.startsWith("STARTED "), String.valueOf(started));
            String id = started.substring("STARTED ".length());

            // JVM B adopts the running task, and forgets every task as soon as it has ended.
            BackgroundTasks b = BackgroundTasks.builder().backend(SERVER.backend()).logDirectory(SERVER.logDir())
                    .retainFinished(0).build();
            SERVER.opened.add(b);
            TaskHandle adopted = b.find("owned").orElseThrow();
            assertEquals(TaskState.RUNNING, adopted.state());

            // A is stopped while the task ends, so B surely forgets it before A looks.
            SERVER.run("kill", "-STOP", Long.toString(a.pid()));
            try {
                SERVER.tmux("wait-for", "-S", channel);
                TaskResult seenByB = Fixtures.await(adopted.onExit());
                assertEquals(TaskState.FAILED, seenByB.state(), seenByB.toString());
                assertTrue(b.list().isEmpty(), "B should have forgotten the task");
                Path state = SERVER.stateDir().resolve("tasks").resolve(id);
                assertTrue(Files.exists(state.resolve("exit")), "B deleted the state of a task that A owns");
            } finally {
                SERVER.run("kill", "-CONT", Long.toString(a.pid()));
            }
            assertEquals("RESULT FAILED 3 ", out.readLine());
            assertTrue(a.waitFor(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
            assertEquals(0, a.exitValue());
        } finally {
            a.destroyForcibly();
        }
    }
}
