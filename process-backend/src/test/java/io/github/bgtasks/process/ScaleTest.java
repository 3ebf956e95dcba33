package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Many tasks at once: few threads, every completion delivered exactly once, nothing left.
 * Catalogue: 1 (500 instead of 1,000 to keep the suite fast), 3, 35 (at scale).
 * Isolated: the thread counts must not see other tests' threads.
 *
 * <p>Perl helper only: the JDK strategy holds one JDK reaper thread per running task.
 */
@Isolated
@Timeout(value = 10, unit = TimeUnit.MINUTES) // against hangs only: a busy machine may be very slow
class ScaleTest extends RealProcessTest {

    @Test
    void fiveHundredConcurrentTasksCostFewThreadsAndAllEndOnClose() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int before = threads.getThreadCount();
        threads.resetPeakThreadCount();
        String m = marker();
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        BackgroundTasks tasks = newTasks();
        List<TaskHandle> handles = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            TaskHandle h = tasks.start(TaskSpec.builder("sleep", m).name("many-" + i).build());
            calls.put(h.id(), new AtomicInteger());
            h.addListener(r -> calls.get(r.id()).incrementAndGet());
            handles.add(h);
        }
        within(Duration.ofMinutes(5)).until(() -> Procs.withArg(m).size() == 500);
        int running = threads.getPeakThreadCount() - before;

        tasks.close();

        assertTrue(running <= 16, "thread count grew by " + running + " with 500 tasks running");
        int overall = threads.getPeakThreadCount() - before;
        assertTrue(overall <= 16, "thread count grew by " + overall + " at most, close() included");
        for (TaskHandle h : handles) {
            TaskResult r = h.onExit().join();
            assertEquals(TaskState.STOPPED, r.state(), r.toString());
            assertEquals(15, r.signal().orElse(-1), r.toString());
        }
        calls.forEach((id, n) -> assertEquals(1, n.get(), id + " completions"));
        // Each was reported once the helper had reaped it: none is left, without waiting.
        assertEquals(List.of(), Procs.withArg(m), "running after close()");
    }

    @Test
    void aThousandShortTasksCallEveryListenerExactlyOnce() throws Exception {
        BackgroundTasks tasks = newTasks();
        String m = marker();
        TaskHandle probe = tasks.start(TaskSpec.builder("sleep", m).build());
        long helper = helperOf(probe);
        long helperFds = openFiles(helper);
        long ourFds = openFiles(ProcessHandle.current().pid());
        Map<String, AtomicInteger> early = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> late = new ConcurrentHashMap<>();
        ExecutorService starters = Executors.newFixedThreadPool(4);
        List<Future<TaskResult>> results = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                boolean lateToo = i % 10 == 0;
                results.add(starters.submit(() -> {
                    TaskHandle h = tasks.start(TaskSpec.builder("true").build());
                    h.addListener(r -> early.computeIfAbsent(r.id(), k -> new AtomicInteger()).incrementAndGet());
                    TaskResult r = h.onExit().join();
                    if (lateToo) {
                        h.addListener(x -> late.computeIfAbsent(x.id(), k -> new AtomicInteger()).incrementAndGet());
                    }
                    return r;
                }));
            }
            for (Future<TaskResult> f : results) {
                TaskResult r = f.get();
                assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
            }
        } finally {
            starters.shutdownNow();
        }
        awaitNoZombiesOf(helper); // the helper reaped all 1,000
        // Each task's stdin pipe and exec-status pipe are closed once it ends: no descriptor leaks.
        within(Duration.ofMinutes(2)).until(() -> openFiles(helper) <= helperFds);
        assertTrue(openFiles(ProcessHandle.current().pid()) <= ourFds + 16, "the JVM holds no descriptor per task");
        tasks.close(); // waits for the callback threads: any duplicate call has happened by now

        assertEquals(1000, early.size());
        assertEquals(TaskState.STOPPED, probe.state());
        early.forEach((id, n) -> assertEquals(1, n.get(), id + " early listener calls"));
        assertEquals(100, late.size());
        late.forEach((id, n) -> assertEquals(1, n.get(), id + " late listener calls"));
    }

    /** Counts a process's open file descriptors. */
    private static long openFiles(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
