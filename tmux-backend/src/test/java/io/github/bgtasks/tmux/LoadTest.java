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
        // The first start starts the keeper (its own start goes through a tmux client meanwhile).
        started.add(tasks.start(TaskSpec.builder("sh", "-c", "read -r line; exit 0").name("load-0").build()));
        started.get(0).addListener(r -> calls.computeIfAbsent(r.id(), k -> new AtomicInteger()).incrementAndGet());
        org.awaitility.Awaitility.await().atMost(Fixtures.PATIENCE).until(() -> backend.tmux().keeperClient().isPresent());
        long callsBefore = backend.tmux().calls();
        long channelBefore = backend.tmux().channelCalls();
        for (int i = 1; i < N; i++) {
            // All run at once: each blocks until it is told to end (a line typed into its terminal).
            TaskHandle t = tasks.start(TaskSpec.builder("sh", "-c", "read -r line; exit " + (i % 7))
                    .name("load-" + i).build());
            t.addListener(r -> calls.computeIfAbsent(r.id(), k -> new AtomicInteger()).incrementAndGet());
            started.add(t);
        }
        // One line to the keeper per start and no tmux client process at all, whatever the number
        // of sessions: no listing per start, and sweeps over running tasks ask tmux nothing.
        assertEquals(N - 1, backend.tmux().channelCalls() - channelBefore, "starts through the keeper");
        assertEquals(0, backend.tmux().calls() - callsBefore, "tmux client processes for " + (N - 1) + " starts");
        assertEquals(N, SERVER.taskSessions().size());
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
