package io.github.bgtasks.maven;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What one {@code start} execution started: its instance and tasks in start order. Stopping
 * stops every task's process tree (SIGTERM, SIGKILL after the grace period), waits, and closes
 * the instance. Thread-safe.
 */
final class Started {
    private final BackgroundTasks tasks;
    private final List<TaskHandle> handles = Collections.synchronizedList(new ArrayList<>());

    Started(BackgroundTasks tasks) {
        this.tasks = tasks;
    }

    void add(TaskHandle h) {
        handles.add(h);
    }

    List<TaskHandle> handles() {
        synchronized (handles) {
            return List.copyOf(handles);
        }
    }

    /**
     * Stops everything, reporting each task's end.
     *
     * @param report receives one line per task
     */
    void stop(Consumer<String> report) {
        List<TaskHandle> all = new ArrayList<>(handles());
        Collections.reverse(all);
        List<CompletableFuture<TaskResult>> ends = new ArrayList<>();
        for (TaskHandle h : all) {
            ends.add(h.stop()); // all at once: the grace periods run side by side
        }
        for (int i = 0; i < all.size(); i++) {
            TaskResult r = ends.get(i).join();
            report.accept("stopped task '" + all.get(i).name() + "': " + r.summary());
            try {
                tasks.remove(all.get(i)); // a kept task's record goes with it: the next start finds nothing to stop
            } catch (RuntimeException e) {
                report.accept("could not forget task '" + all.get(i).name() + "': " + e.getMessage());
            }
        }
        tasks.close();
    }
}
