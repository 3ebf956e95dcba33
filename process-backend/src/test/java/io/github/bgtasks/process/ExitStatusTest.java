package io.github.bgtasks.process;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exit codes and signals are reported as they happened, and kept apart.
 * Catalogue: 36 (plain mode), 12.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // against hangs only: a busy machine may be very slow
class ExitStatusTest extends RealProcessTest {

    /** 0..255, all running at once (tini's exit-code test). */
    @Test
    void reportsEveryExitCodeFrom0To255() {
        BackgroundTasks tasks = newTasks();
        List<TaskHandle> handles = new ArrayList<>();
        for (int code = 0; code <= 255; code++) {
            handles.add(tasks.start(TaskSpec.builder("sh", "-c", "exit $1", "sh", Integer.toString(code))
                    .name("exit-" + code).build()));
        }
        for (int code = 0; code <= 255; code++) {
            TaskResult r = handles.get(code).onExit().join();
            if (!perlHelper() && code > 128 && code <= 128 + 64) {
                // the JDK reports death by signal n as 128 + n: such codes read as signals (documented)
                assertEquals(code - 128, r.signal().orElse(-1), r.toString());
                continue;
            }
            assertEquals(code, r.exitCode().orElse(-1), r.toString());
            assertTrue(r.signal().isEmpty(), r.toString());
            assertEquals(code == 0 ? TaskState.SUCCEEDED : TaskState.FAILED, r.state(), r.toString());
        }
    }

    /** Death by a signal nobody asked for: FAILED, no exit code, the signal; never 128+n as a code. */
    @Test
    void keepsDeathBySignalApartFromExitCodes() {
        BackgroundTasks tasks = newTasks();
        Map<String, Integer> signals = Map.of("TERM", 15, "KILL", 9, "HUP", 1, "SEGV", 11, "INT", 2, "ABRT", 6);
        Map<String, TaskHandle> handles = new java.util.TreeMap<>();
        // ulimit -c 0: no core file from SEGV or ABRT
        signals.keySet().forEach(s -> handles.put(s, tasks.start(TaskSpec.shell("ulimit -c 0; kill -" + s + " $$; sleep 5")
                .workingDirectory(dir).build())));
        // An exit code that looks like a signal death must stay an exit code.
        TaskHandle lookalike = tasks.start(TaskSpec.shell("exit 143").build());

        handles.forEach((s, h) -> {
            TaskResult r = h.onExit().join();
            assertEquals(TaskState.FAILED, r.state(), s + ": " + r);
            assertTrue(r.exitCode().isEmpty(), s + ": no exit code: " + r);
            assertEquals(signals.get(s), r.signal().orElse(-1), s + ": " + r);
        });
        TaskResult r = lookalike.onExit().join();
        if (!perlHelper()) {
            assertEquals(15, r.signal().orElse(-1), "the JDK cannot tell exit 143 from SIGTERM (documented): " + r);
            return;
        }
        assertEquals(143, r.exitCode().orElse(-1), r.toString());
        assertTrue(r.signal().isEmpty(), r.toString());
    }

    /** #12: killed from outside with kill -9: one completion, FAILED with signal 9, not a timeout or a stop. */
    @Test
    void reportsAnExternalSigkillAsFailedWithSignal9() {
        String m = marker();
        String child = marker();
        BackgroundTasks tasks = newTasks();
        TaskHandle h = tasks.start(TaskSpec.shell("sleep " + child + " & exec sleep " + m)
                .timeout(java.time.Duration.ofMinutes(5)).build());
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        h.addListener(r -> calls.incrementAndGet());
        long pid = h.pid().orElseThrow();
        awaitRunning(m, 1);
        awaitRunning(child, 1);

        Procs.signal(pid, "KILL");

        TaskResult r = h.onExit().join();
        assertEquals(TaskState.FAILED, r.state(), r.toString());
        assertEquals(9, r.signal().orElse(-1), r.toString());
        assertEquals(1, calls.get(), "listeners run before onExit() completes");
        awaitGone(java.time.Duration.ofMinutes(1), m, child); // the leftover of its group is swept
        tasks.close();
        assertEquals(1, calls.get(), "exactly one completion");
    }
}
