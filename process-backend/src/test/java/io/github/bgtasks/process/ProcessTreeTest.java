package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.testkit.ProcessMarkers.Proc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ending whole process trees with real processes: timeouts, stop, kill, fork loops, stopped
 * processes, escapees, leftovers of a finished task, and a grandchild holding the output.
 * Catalogue (reliability.md section 5): 13, 14, 15, 16, 17, 18 (setpgid), 5 (one task).
 *
 * <p>Perl helper: it checks the helper as parent, SIGCONT for stopped processes and escapees; what the JDK strategy promises for trees is in {@link JdkStrategyTest}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // against hangs only: a busy machine may be very slow
class ProcessTreeTest extends RealProcessTest {

    /** #13, #5: the tree ignores SIGTERM, so only the SIGKILL after the grace period ends it. */
    @Test
    void timeoutKillsATreeThatIgnoresSigterm() {
        String child = marker();
        String grandchild = marker();
        String foreground = marker();
        BackgroundTasks tasks = newTasks();
        long t0 = System.nanoTime();
        TaskHandle h = tasks.start(TaskSpec.shell(
                        "trap '' TERM; sleep " + child + " & (sleep " + grandchild + " &); sleep " + foreground + "; wait")
                .timeout(Duration.ofSeconds(3)).build()); // room for a busy machine to run the shell up to its trap
        long pid = h.pid().orElseThrow();
        long helper = helperOf(h);
        awaitRunning(child, 1);
        awaitRunning(grandchild, 1);
        awaitRunning(foreground, 1);

        TaskResult r = h.onExit().join();
        long ms = millisSince(t0);

        assertEquals(TaskState.TIMED_OUT, r.state(), r.toString());
        assertEquals(9, r.signal().orElse(-1), "SIGKILL ended it: " + r);
        assertTrue(r.exitCode().isEmpty(), r.toString());
        assertTrue(ms >= 3300, "SIGTERM was ignored, so it ends only at timeout + grace (3.3 s), took " + ms);
        awaitGone(Duration.ofMinutes(1), child, grandchild, foreground);
        awaitSessionEmpty(pid, Duration.ofMinutes(1));
        awaitNoZombiesOf(helper);
    }

    /** #15 variant: the task's own process dies of SIGTERM, a child ignores it; the sweep kills it after the grace. */
    @Test
    void timeoutKillsALeftoverThatIgnoresSigtermAfterTheGrace() {
        String stubborn = marker();
        String ready = dir.resolve("ready").toString();
        BackgroundTasks tasks = newTasks();
        // the task goes on once the leftover holds the FIFO open for writing: it has set its trap by then
        TaskHandle h = tasks.start(TaskSpec.shell("mkfifo " + ready + "; (trap '' TERM; exec sleep " + stubborn
                        + " 3> " + ready + ") & exec 3< " + ready + "; sleep " + stubborn)
                .timeout(Duration.ofSeconds(3)).build()); // room for a busy machine to reach the FIFO
        long pid = h.pid().orElseThrow();
        awaitRunning(stubborn, 2);

        TaskResult r = h.onExit().join();

        assertEquals(TaskState.TIMED_OUT, r.state(), r.toString());
        assertEquals(15, r.signal().orElse(-1), "the task's own process died of SIGTERM: " + r);
        awaitGone(Duration.ofMinutes(1), stubborn);
        awaitSessionEmpty(pid, Duration.ofMinutes(1));
    }

    /** #17 (static tree), experiment (b) B1: background children and an orphaned grandchild. */
    @Test
    void stopEndsBackgroundChildrenAndOrphanedGrandchildren() {
        String child = marker();
        String grandchild = marker();
        String foreground = marker();
        BackgroundTasks tasks = newTasks();
        TaskHandle h = tasks.start(TaskSpec.shell(
                "sleep " + child + " & (sleep " + grandchild + " &) ; sleep " + foreground).build());
        long pid = h.pid().orElseThrow();
        long helper = helperOf(h);
        awaitRunning(child, 1);
        Proc orphan = awaitRunning(grandchild, 1).get(0);
        awaitRunning(foreground, 1);
        // Negative control: the orphan is invisible to descendants(), so only a group kill can reach it.
        assertFalse(ProcessHandle.of(pid).orElseThrow().descendants().anyMatch(d -> d.pid() == orphan.pid()),
                "the grandchild should have been re-parented away from the task: " + orphan);
        assertEquals(pid, orphan.pgid(), "still in the task's process group");

        TaskResult r = h.stop().join();

        assertEquals(TaskState.STOPPED, r.state(), r.toString());
        assertEquals(15, r.signal().orElse(-1), "SIGTERM was enough: " + r);
        awaitGone(Duration.ofMinutes(1), child, grandchild, foreground);
        awaitSessionEmpty(pid, Duration.ofMinutes(1));
        awaitNoZombiesOf(helper);
    }

    /** #17: a loop that forks as fast as it can is stopped mid-loop with no survivor; three at once. */
    @Test
    void stopEndsAForkLoopWithoutSurvivors() {
        BackgroundTasks tasks = newTasks();
        List<String> markers = new ArrayList<>();
        List<TaskHandle> handles = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String m = marker();
            markers.add(m);
            handles.add(tasks.start(TaskSpec.shell("i=0; while [ $i -lt 2000 ]; do sleep " + m
                    + " & i=$((i+1)); [ $((i % 20)) = 0 ] && echo $i; done; echo loop-ended; wait").build()));
        }
        for (TaskHandle h : handles) {
            within(Duration.ofMinutes(1)).until(() -> h.tail(1).size() == 1); // it is forking now
        }

        List<CompletableFuture<TaskResult>> ends = handles.stream().map(TaskHandle::stop).toList();

        for (CompletableFuture<TaskResult> end : ends) {
            TaskResult r = end.join();
            assertEquals(TaskState.STOPPED, r.state(), r.toString());
            // Negative control: it was stopped while forking, not after the loop.
            assertFalse(text(r.logFile()).contains("loop-ended"), "the loop ended before stop() " + r);
        }
        awaitGone(Duration.ofMinutes(1), markers.toArray(String[]::new));
        for (TaskHandle h : handles) {
            awaitSessionEmpty(h.pid().orElseThrow(), Duration.ofMinutes(1));
        }
    }

    /** #14: SIGTERM alone does nothing to a stopped process; SIGCONT after it ends it long before the grace. */
    @Test
    void stopEndsAStoppedTaskWithSigtermAndSigcont() {
        String m = marker();
        BackgroundTasks tasks = newTasks();
        // a grace longer than the test's timeout: only SIGTERM and SIGCONT can end it in time
        TaskHandle h = tasks.start(TaskSpec.builder("sleep", m).stopGracePeriod(Duration.ofMinutes(30)).build());
        long pid = h.pid().orElseThrow();
        Procs.signal(pid, "STOP");
        within(Duration.ofMinutes(1)).until(() -> Procs.read(pid).map(p -> p.state() == 'T').orElse(false));

        TaskResult r = h.stop().join();

        assertEquals(TaskState.STOPPED, r.state(), r.toString());
        assertEquals(15, r.signal().orElse(-1), "SIGTERM (not the SIGKILL after the grace) ended it: " + r);
        awaitGone(Duration.ofMinutes(1), m);
    }

    /** #18 (setpgid): a grandchild that left the process group is still in the session, and the sweep ends it. */
    @Test
    void stopEndsAnEscapeeThatLeftTheProcessGroup() {
        String escapee = marker();
        String main = marker();
        BackgroundTasks tasks = newTasks();
        TaskHandle h = tasks.start(TaskSpec.shell(
                "perl -e 'setpgrp(0, 0); exec @ARGV' sleep " + escapee + " & exec sleep " + main).build());
        long pid = h.pid().orElseThrow();
        within(Duration.ofMinutes(1)).until(() -> Procs.withArg(escapee).stream().anyMatch(p -> p.pgid() != pid));
        Proc e = Procs.withArg(escapee).get(0);
        // Negative control: a group signal cannot reach it; only the session sweep can.
        assertNotEquals(pid, e.pgid(), "left the task's process group: " + e);
        assertEquals(pid, e.sid(), "still in the task's session: " + e);

        TaskResult r = h.stop().join();

        assertEquals(TaskState.STOPPED, r.state(), r.toString());
        awaitGone(Duration.ofMinutes(1), escapee, main);
        awaitSessionEmpty(pid, Duration.ofMinutes(1));
    }

    /** kill() skips the grace: a SIGTERM-ignoring task with a long grace ends at once with SIGKILL. */
    @Test
    void killSkipsTheGracePeriod() {
        String m = marker();
        BackgroundTasks tasks = newTasks();
        TaskHandle h = tasks.start(TaskSpec.shell("trap '' TERM; sleep " + m + " & sleep " + m)
                .stopGracePeriod(Duration.ofMinutes(30)).build()); // longer than the test's timeout
        awaitRunning(m, 2);

        TaskResult r = h.kill().join();

        assertEquals(TaskState.STOPPED, r.state(), r.toString());
        assertEquals(9, r.signal().orElse(-1), r.toString());
        awaitGone(Duration.ofMinutes(1), m);
    }

    /** #15: completion is reported when the task's own process exits; its background child is ended after. */
    @Test
    void exitLeavingBackgroundChildrenCompletesAtOnceAndTheLeftoversEnd() {
        String leftover = marker();
        BackgroundTasks tasks = newTasks();
        TaskHandle h = tasks.start(TaskSpec.shell("sleep " + leftover + " & echo $!; exit 0").build());
        long pid = h.pid().orElseThrow();

        TaskResult r = h.onExit().join();

        assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
        long childPid = Long.parseLong(h.tail(1).get(0));
        assertTrue(childPid > 0, "the leftover existed: " + childPid);
        awaitGone(Duration.ofMinutes(1), leftover);
        awaitSessionEmpty(pid, Duration.ofMinutes(1));
    }

    /** #15: a leftover that ignores SIGTERM outlives the completion by the grace period, then gets SIGKILL. */
    @Test
    void aLeftoverThatIgnoresSigtermIsKilledAfterTheGrace() {
        String leftover = marker();
        Path ready = dir.resolve("ready");
        BackgroundTasks tasks = newTasks();
        // The task exits once the leftover holds the FIFO open for writing: it has set its trap by then.
        TaskHandle h = tasks.start(TaskSpec.shell("mkfifo " + ready + "; (trap '' TERM; exec sleep " + leftover
                        + " 3> " + ready + ") & exec 3< " + ready + "; exit 0")
                .stopGracePeriod(Duration.ofSeconds(10)).build());

        TaskResult r = h.onExit().join();

        assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
        // Negative control: it survived the SIGTERM of the sweep (the SIGKILL is 10 s away).
        assertEquals(1, Procs.withArg(leftover).size(), "the leftover ignores SIGTERM");
        awaitGone(Duration.ofSeconds(10).plus(Duration.ofMinutes(1)), leftover);
    }

    /**
     * #16, experiment (a): a grandchild keeps the task's stdout open after the task's own process
     * exits. Completion comes at that exit, everything written before is in the log, and no
     * bgtasks thread waits on the task's output. Three runs at once.
     */
    @Test
    void grandchildHoldingStdoutDelaysNothing() {
        BackgroundTasks tasks = newTasks();
        Map<TaskHandle, String> runs = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            String m = marker();
            Path flag = dir.resolve("grand-" + i);
            // the grandchild opens the FIFO after its echo: the task waits for that, without polling
            runs.put(tasks.start(TaskSpec.shell("echo early; mkfifo " + flag + "; (echo grand; exec sleep " + m
                    + " 3> " + flag + ") & exec 3< " + flag + "; echo child-done; exit 3").build()), m);
        }
        for (Map.Entry<TaskHandle, String> run : runs.entrySet()) {
            TaskResult r = run.getKey().onExit().join();
            assertEquals(TaskState.FAILED, r.state(), r.toString());
            assertEquals(3, r.exitCode().orElse(-1), r.toString());
            String log = text(r.logFile());
            assertTrue(log.startsWith("early\n"), log);
            assertTrue(log.indexOf("grand\n") > 0 && log.indexOf("grand\n") < log.indexOf("child-done\n"), log);
        }
        assertOnlyTheEventReaderReads();
        awaitGone(Duration.ofMinutes(1), runs.values().toArray(String[]::new));
    }

    /** Fails if a bgtasks thread other than the one reading the helper's replies is blocked reading. */
    private static void assertOnlyTheEventReaderReads() {
        List<String> readers = new ArrayList<>();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            boolean reading = java.util.Arrays.stream(stack).limit(8)
                    .anyMatch(f -> f.getMethodName().startsWith("read") && (f.isNativeMethod()
                            || f.getClassName().startsWith("sun.nio.ch")));
            if (t.getName().startsWith("bgtasks") && reading) {
                readers.add(t.getName());
            }
        });
        // Negative control: the probe does see the one thread that always reads (the helper's replies).
        assertTrue(readers.contains("bgtasks-process-events"), "the probe sees the reply reader: " + readers);
        readers.removeIf("bgtasks-process-events"::equals);
        assertEquals(List.of(), readers, "bgtasks threads blocked in read");
    }

    /** Negative control of the zombie probe: a real zombie (a child its parent never waits for) is seen. */
    @Test
    void zombieProbeSeesAZombie() throws Exception {
        String m = marker();
        Process parent = new ProcessBuilder("sh", "-c", "true & exec sleep $0", m).start();
        try {
            within(Duration.ofMinutes(1)).until(() -> Procs.zombiesOf(parent.pid()).size() == 1);
            assertEquals(1, Procs.withArg(m).size(), "and the marker probe sees the parent");
        } finally {
            parent.destroyForcibly().waitFor();
        }
    }
}
