package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 6, case 2: the helper itself dies (SIGKILL or SIGTERM from outside). Its tasks are
 * ended through their sessions (SIGTERM, grace, SIGKILL), reported LOST once each with a
 * reason, the loss is logged once, stop/kill/close stay quiet, and new tasks get a new helper.
 *
 * <p>Perl helper only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HelperDeathTest extends RealProcessTest {

    @ParameterizedTest
    @ValueSource(strings = {"KILL", "TERM"})
    void tasksOfADeadHelperAreEndedAndReportedLostAndNewTasksGetANewHelper(String signal) {
        String plain = marker();
        String stubborn = marker();
        String child = marker();
        String main = marker();
        String later = marker();
        BackgroundTasks tasks = newTasks();
        TaskHandle p = tasks.start(TaskSpec.builder("sleep", plain).build());
        // ignores SIGTERM, as its background child does: only the SIGKILL after the grace period ends them
        TaskHandle s = tasks.start(TaskSpec.shell("trap '' TERM; sleep " + stubborn + " & wait").build());
        TaskHandle t = tasks.start(TaskSpec.shell("sleep " + child + " & exec sleep " + main).build());
        List<String> markers = List.of(plain, stubborn, child, main);
        markers.forEach(m -> awaitRunning(m, 1));
        long helper = helperOf(p);
        assertTrue(ProcessHandle.current().children().anyMatch(c -> c.pid() == helper), "the helper is our child");

        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        List<TaskResult> results;
        try {
            Procs.signal(helper, signal);
            results = List.of(p.onExit().join(), s.onExit().join(), t.onExit().join());
        } finally {
            System.setErr(original);
        }

        // Reported only once its processes were gone: the whole process table has none of them.
        assertEquals(List.of(), Procs.withAnyArg(markers), "left running after the helper died");
        for (TaskResult r : results) {
            assertEquals(TaskState.LOST, r.state(), r.toString());
            String why = r.lostReason().orElse("");
            assertTrue(why.contains("helper") && why.contains("died") && why.contains("stopped"), why);
        }
        assertTrue(results.get(1).lostReason().orElseThrow().contains("SIGKILL"), "the stubborn one needed SIGKILL");
        String log = captured.toString(StandardCharsets.UTF_8);
        assertEquals(1, log.lines().filter(l -> l.contains("bgtasks process helper (pid " + helper)).count(),
                "the loss is logged once:\n" + log);

        // Stopping, killing and closing input of a LOST task are quiet no-ops.
        assertEquals(TaskState.LOST, p.stop().join().state());
        assertEquals(TaskState.LOST, s.kill().join().state());
        t.closeInput();

        // The same instance starts new tasks, on a new helper.
        TaskHandle ok = tasks.start(TaskSpec.shell("echo after the crash").build());
        assertEquals(TaskState.SUCCEEDED, ok.onExit().join().state());
        TaskHandle running = tasks.start(TaskSpec.builder("sleep", later).build());
        awaitRunning(later, 1);
        long newHelper = helperOf(running);
        assertNotEquals(helper, newHelper);
        tasks.close();
        assertEquals(TaskState.STOPPED, running.onExit().join().state());
        awaitGone(Duration.ofSeconds(30), later);
    }
}
