package io.github.bgtasks.tmux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many sessions on one private server: all start, each end is reported once, with its code. */
class LoadTest {
    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();

    @Test
    void twoHundredConcurrentSessions() throws Exception {
        BackgroundTasks tasks = SERVER.tasks();
        int threadsBefore = Thread.activeCount();
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        List<TaskHandle> started = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // All run at once: each waits until the last one has started.
            TaskHandle t = tasks.start(TaskSpec.builder("sh", "-c",
                    "while [ ! -e \"$1\" ]; do sleep 0.1; done; exit " + (i % 7), "sh",
                    SERVER.stateDir().resolve("go").toString()).name("load-" + i).build());
            t.addListener(r -> calls.computeIfAbsent(r.id(), k -> new AtomicInteger()).incrementAndGet());
            started.add(t);
        }
        assertEquals(200, SERVER.tmux("list-sessions", "-F", "#{session_name}").lines().count());
        // A kill storm on every other task, then the rest end by themselves.
        long before = System.nanoTime();
        List<java.util.concurrent.CompletableFuture<TaskResult>> kills = new ArrayList<>();
        for (int i = 0; i < started.size(); i += 2) {
            kills.add(started.get(i).kill());
        }
        long issued = System.nanoTime();
        for (java.util.concurrent.CompletableFuture<TaskResult> k : kills) {
            TaskResult r = k.get(60, TimeUnit.SECONDS);
            assertEquals(io.github.bgtasks.TaskState.STOPPED, r.state(), r.toString());
            assertEquals(9, r.signal().orElse(-1), r.toString());
        }
        System.out.printf("killing 100 tmux tasks took %d ms (%d ms to ask)%n", (System.nanoTime() - before) / 1_000_000,
                (issued - before) / 1_000_000);
        java.nio.file.Files.createFile(SERVER.stateDir().resolve("go"));
        for (int i = 1; i < started.size(); i += 2) {
            TaskResult r = started.get(i).onExit().get(60, TimeUnit.SECONDS);
            assertEquals(i % 7, r.exitCode().orElse(-1), r.toString());
        }
        org.awaitility.Awaitility.await().until(() -> calls.size() == 200);
        calls.values().forEach(c -> assertEquals(1, c.get()));
        // No thread per task: the backend's threads do not grow with the number of tasks.
        assertEquals(true, Thread.activeCount() < threadsBefore + 20, "threads: " + Thread.activeCount());
    }
}
