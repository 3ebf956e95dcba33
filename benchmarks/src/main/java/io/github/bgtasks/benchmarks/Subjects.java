package io.github.bgtasks.benchmarks;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.process.ProcessBackend;
import io.github.bgtasks.spi.Backend;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Builds the bgtasks instances under test, configured alike for both backends, and waits for
 * their tasks with a limit.
 */
final class Subjects {
    /** Far longer than any benchmark task runs; only a lost exit notice takes this long. */
    private static final long EXIT_PATIENCE_SECONDS = 60;

    private Subjects() {
    }

    static BackgroundTasks process(Path logs) {
        return build(ProcessBackend.create(), logs);
    }

    static BackgroundTasks tmux(TmuxServer server, Path logs) {
        return build(server.backend(logs.resolveSibling(logs.getFileName() + "-tmux-state")), logs);
    }

    /**
     * Waits for a task's end, but not forever: a benchmark that hangs on a lost exit notice
     * says so and names the task, instead of stalling the whole run.
     */
    static TaskResult await(TaskHandle task) {
        return await(task.onExit(), task);
    }

    /** Waits for {@code future}, which completes when {@code task} is seen to end. */
    static <T> T await(CompletableFuture<T> future, TaskHandle task) {
        try {
            return future.get(EXIT_PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("bgtasks did not report the end of task " + task.id() + " (pid "
                    + task.pid() + ", " + task.command() + ") within " + EXIT_PATIENCE_SECONDS
                    + " s; is its process a zombie (see benchmarks/REQUESTS.md, item 1)?", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for task " + task.id() + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for task " + task.id(), e);
        }
    }

    /** Builds an instance on {@code backend} that stops its tasks on close and logs to {@code logs}. */
    static BackgroundTasks build(Backend backend, Path logs) {
        return BackgroundTasks.builder()
                .backend(backend)
                .logDirectory(logs)
                // tmux keeps tasks on close by default; a benchmark must leave nothing running.
                .stopTasksOnClose(true)
                .build();
    }
}
