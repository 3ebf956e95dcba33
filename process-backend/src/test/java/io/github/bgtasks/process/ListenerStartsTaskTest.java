package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 6, case 4: a listener that starts a task on a direct callback executor. No user code
 * runs on the helper's reader thread, so the start gets its answer.
 *
 * <p>Perl helper only (its reader thread).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ListenerStartsTaskTest extends RealProcessTest {

    @Test
    void aListenerOnADirectExecutorStartsASecondTask() {
        String m = marker();
        BackgroundTasks tasks = newTasks(b -> b.callbackExecutor(Runnable::run));
        CompletableFuture<TaskHandle> second = new CompletableFuture<>();
        TaskHandle first = tasks.start(TaskSpec.shell("read line; exit 0").build()); // ends when its input closes
        first.addListener(r -> {
            try {
                second.complete(tasks.start(TaskSpec.builder("sleep", m).build()));
            } catch (RuntimeException e) {
                second.completeExceptionally(e);
            }
        });
        first.closeInput();

        TaskHandle h = second.join();
        assertEquals(TaskState.SUCCEEDED, first.onExit().join().state());
        assertEquals(TaskState.RUNNING, h.state());
        awaitRunning(m, 1);
        tasks.close();
        assertEquals(TaskState.STOPPED, h.onExit().join().state());
        awaitGone(Duration.ofSeconds(30), m);
    }

    /** At the backend level: what depends on a task's exit future never runs on the reader thread. */
    @Test
    void exitFuturesAreCompletedOffTheReaderThread() throws Exception {
        Path log = Files.createFile(dir.resolve("exit.log"));
        try (Spawner spawner = new Spawner(Perl.find())) {
            BackendTask t = spawner.launch(Launch.builder("off.1", "off", List.of("true")).workingDirectory(dir).logFile(log).startedAt(java.time.Instant.now()).build());
            CompletableFuture<String> thread = t.exit().thenApply(s -> Thread.currentThread().getName());
            assertNotEquals("bgtasks-process-events", thread.get(60, TimeUnit.SECONDS));
        }
    }

    /**
     * Issue 8: the core's end action gets the end on the reader thread itself (it only hands
     * over to the core's pool), without a hop through the completer; the future's dependent
     * stages still never run on the reader.
     */
    @Test
    void endActionsRunOnTheReaderAndFutureStagesOffIt() throws Exception {
        Path log = Files.createFile(dir.resolve("action.log"));
        try (Spawner spawner = new Spawner(Perl.find())) {
            BackendTask t = spawner.launch(Launch.builder("act.1", "act", List.of("sh", "-c", "read line"))
                    .workingDirectory(dir).logFile(log).startedAt(java.time.Instant.now()).build());
            CompletableFuture<String> action = new CompletableFuture<>();
            t.whenEnded(s -> action.complete(Thread.currentThread().getName()));
            CompletableFuture<String> stage = t.exit().thenApply(s -> Thread.currentThread().getName());
            t.closeInput(); // the task ends only now, after both were registered
            assertEquals("bgtasks-process-events", action.get(60, TimeUnit.SECONDS));
            assertNotEquals("bgtasks-process-events", stage.get(60, TimeUnit.SECONDS));
            CompletableFuture<String> late = new CompletableFuture<>();
            t.whenEnded(s -> late.complete(Thread.currentThread().getName()));
            assertEquals(Thread.currentThread().getName(), late.getNow("not called")); // after the end: at once
        }
    }

    /**
     * Issue 8: the exit future is made when first asked for, so that the end of a task that
     * nobody asked needs no hop through the completer; asked for after the end, it is complete.
     */
    @Test
    void anExitFutureAskedForOnlyAfterTheEndIsComplete() throws Exception {
        Path log = Files.createFile(dir.resolve("late-exit.log"));
        try (Spawner spawner = new Spawner(Perl.find())) {
            BackendTask t = spawner.launch(Launch.builder("late.1", "late", List.of("sh", "-c", "exit 3"))
                    .workingDirectory(dir).logFile(log).startedAt(java.time.Instant.now()).build());
            CompletableFuture<ExitStatus> ended = new CompletableFuture<>();
            t.whenEnded(ended::complete);
            assertEquals(ExitStatus.exited(3), ended.get(60, TimeUnit.SECONDS));
            // The reader handles lines in order: once a later task's start is answered, the
            // first end has been handled in full, and nothing went to the completer for it.
            Path log2 = Files.createFile(dir.resolve("late-exit-2.log"));
            spawner.launch(Launch.builder("late.2", "late", List.of("true"))
                    .workingDirectory(dir).logFile(log2).startedAt(java.time.Instant.now()).build());
            assertEquals(0, spawner.completerTasks());
            assertEquals(ExitStatus.exited(3), t.exit().getNow(null));
            assertSame(t.exit(), t.exit());
        }
    }
}
