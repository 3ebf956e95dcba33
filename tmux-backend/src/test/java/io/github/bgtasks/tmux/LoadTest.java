package io.github.bgtasks.tmux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many sessions on one private server: all start, each end is reported once, with its code,
 * and the cost in tmux calls grows linearly. The tasks block (reading their terminal) rather
 * than poll, so the test loads the library, not the machine; it asserts counts, not times.
 */
class LoadTest {
    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();
    private static final int N = 200;

    @Test
    void twoHundredConcurrentSessions() throws Exception {
        TmuxBackend backend = SERVER.backend();
        BackgroundTasks tasks = BackgroundTasks.builder().backend(backend).logDirectory(SERVER.logDir()).build();
        SERVER.opened.add(tasks);
        int threadsBefore = Thread.activeCount();
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        List<TaskHandle> started = new ArrayList<>();
        long callsBefore = backend.tmux().calls();
        for (int i = 0; i < N; i++) {
            // All run at once: each blocks until it is told to end (a line typed into its terminal).
            TaskHandle t = tasks.start(TaskSpec.builder("sh", "-c", "read -r line; exit " + (i % 7))
                    .name("load-" + i).build());
            t.addListener(r -> calls.computeIfAbsent(r.id(), k -> new AtomicInteger()).incrementAndGet());
            started.add(t);
        }
        // One tmux call per start (a few more only if the server was just exiting), whatever
        // the number of sessions: no listing per start, and sweeps over running tasks ask tmux nothing.
        long startCalls = backend.tmux().calls() - callsBefore;
        assertTrue(startCalls <= N + 5, "tmux calls for " + N + " starts: " + startCalls);
        assertEquals(N, SERVER.tmux("list-sessions", "-F", "#{session_name}").lines().count());
        // A kill storm on every other task, then the rest end by themselves.
        List<CompletableFuture<TaskResult>> kills = new ArrayList<>();
        for (int i = 0; i < started.size(); i += 2) {
            kills.add(started.get(i).kill());
        }
        for (CompletableFuture<TaskResult> k : kills) {
            TaskResult r = Fixtures.await(k);
            assertEquals(TaskState.STOPPED, r.state(), r.toString());
            assertEquals(9, r.signal().orElse(-1), r.toString());
        }
        long beforeEnds = backend.tmux().calls();
        for (int i = 1; i < started.size(); i += 2) {
            started.get(i).send("go");
        }
        for (int i = 1; i < started.size(); i += 2) {
            TaskResult r = Fixtures.await(started.get(i).onExit());
            assertEquals(i % 7, r.exitCode().orElse(-1), r.toString());
        }
        // Typing is one call per task; noticing an end that the wrapper recorded costs none.
        long endCalls = backend.tmux().calls() - beforeEnds;
        assertTrue(endCalls <= N / 2 + 5, "tmux calls for " + N / 2 + " ends: " + endCalls);
        org.awaitility.Awaitility.await().atMost(Fixtures.PATIENCE).until(() -> calls.size() == N);
        calls.values().forEach(c -> assertEquals(1, c.get()));
        // No thread per task: the backend's threads do not grow with the number of tasks.
        assertTrue(Thread.activeCount() < threadsBefore + 20, "threads: " + Thread.activeCount());
    }
}
