package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.testkit.ProcessMarkers.Proc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code close()} with running tasks: stops each (SIGTERM, grace, SIGKILL) with one completion
 * each, or leaves them running when so configured. Catalogue: 35.
 *
 * <p>Perl helper (one test checks that the helper exits on close).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloseTest extends RealProcessTest {

    @Test
    void closeStopsEveryRunningTaskWithOneCompletionEach() {
        String plain = marker();
        String stubborn = marker();
        String child = marker();
        String grandchild = marker();
        BackgroundTasks tasks = newTasks();
        TaskHandle p = tasks.start(TaskSpec.builder("sleep", plain).build());
        TaskHandle s = tasks.start(TaskSpec.shell("trap '' TERM; sleep " + stubborn).build());
        TaskHandle t = tasks.start(TaskSpec.shell("sleep " + child + " & (sleep " + grandchild + " &); wait").build());
        List<TaskHandle> all = List.of(p, s, t);
        List<AtomicInteger> calls = List.of(new AtomicInteger(), new AtomicInteger(), new AtomicInteger());
        for (int i = 0; i < 3; i++) {
            AtomicInteger n = calls.get(i);
            all.get(i).addListener(r -> n.incrementAndGet());
        }
        awaitRunning(plain, 1);
        awaitRunning(stubborn, 1);
        awaitRunning(child, 1);
        awaitRunning(grandchild, 1);

        long t0 = System.nanoTime();
        tasks.close();
        long ms = millisSince(t0);

        assertTrue(ms >= GRACE.toMillis(), "the SIGTERM-ignoring task needed the grace period: " + ms);
        for (TaskHandle h : all) {
            assertEquals(TaskState.STOPPED, h.state(), h.toString());
        }
        assertEquals(15, p.onExit().join().signal().orElse(-1));
        assertEquals(9, s.onExit().join().signal().orElse(-1));
        assertEquals(15, t.onExit().join().signal().orElse(-1));
        calls.forEach(n -> assertEquals(1, n.get(), "one completion each"));
        awaitGone(Duration.ofMinutes(1), plain, stubborn, child, grandchild);
    }

    @Test
    void closeLeavesTasksRunningWhenToldTo() {
        String m = marker();
        BackgroundTasks tasks = newTasks(b -> b.stopTasksOnClose(false));
        TaskHandle h = tasks.start(TaskSpec.builder("sleep", m).build());
        long pid = h.pid().orElseThrow();
        killAfterTest(pid);
        long helper = helperOf(h);

        tasks.close();

        within(Duration.ofMinutes(1)).until(() -> !Procs.alive(helper));
        assertTrue(Procs.alive(pid), "the task survives close() and its helper's exit");
        assertEquals(List.of(pid), Procs.withArg(m).stream().map(Proc::pid).toList());
        TaskResult r = h.onExit().join();
        assertEquals(TaskState.LOST, r.state(), "nobody watches it any more: " + r);
    }
}
