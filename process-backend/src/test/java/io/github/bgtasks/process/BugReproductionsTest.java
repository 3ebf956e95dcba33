package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reproductions of the bugs described in {@code process-backend/BUGS.md}; each test fails until
 * its bug is fixed. Bugs 1 and 2: a leftover of a finished task that ignores SIGTERM runs on for
 * good, because the helper's delayed SIGKILL is lost or skipped. Bug 3: a failed
 * {@code build()} leaks the backend's helper process. Bug 4: zombies count as live leftovers,
 * which makes {@code close()} hang for 5 s. Bug 5: a child that called setsid survives stop().
 *
 * <p>Perl helper only: the bugs were in its sweeps and its process.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // against hangs only: a busy machine may be very slow
class BugReproductionsTest extends RealProcessTest {
    /**
     * BUG 1 (quit): {@code close()} right after {@code stop()} of a tree whose own process dies
     * of SIGTERM but whose child ignores it. The helper has sent the child SIGTERM and set a
     * timer for its SIGKILL. {@code close()} writes {@code Q} and closes the helper's stdin; the
     * helper usually reads both at once, and the end of input takes it to {@code stop_all}, which
     * ignores finished tasks, and to {@code exit}: the timer is dropped. (When it reads {@code Q}
     * alone, about one time in three, it waits for the timer, which here is only 300 ms away, so
     * four rounds make the failure near certain.) The child runs on, re-parented to init.
     */
    @Test
    void closeRightAfterStopStillKillsALeftoverThatIgnoresSigterm() {
        for (int round = 0; round < 4; round++) {
            String stubborn = marker();
            String main = marker();
            Path ready = dir.resolve("ready-" + round);
            BackgroundTasks tasks = newTasks();
            TaskHandle h = tasks.start(TaskSpec.shell("mkfifo " + ready + "; (trap '' TERM; exec sleep " + stubborn
                    + " 3> " + ready + ") & exec 3< " + ready + "; sleep " + main).build()); // FIFO: no polling
            awaitRunning(stubborn, 1);
            awaitRunning(main, 1);

            TaskResult r = h.stop().join();
            assertEquals(TaskState.STOPPED, r.state(), r.toString());
            assertEquals(15, r.signal().orElse(-1), "the task's own process died of SIGTERM: " + r);
            tasks.close(); // "close() stops the tasks ... nothing is left behind"

            awaitGone(Duration.ofMinutes(1), stubborn, main);
        }
    }

    /**
     * BUG 1 (end of input): the JVM is SIGKILLed while the helper waits to SIGKILL the leftover
     * of a finished task. {@code stop_all} only stops tasks whose own process still runs and
     * then exits, dropping the timer, so the leftover runs on.
     */
    @Test
    void jvmSigkillWhileALeftoverAwaitsItsSigkillStillKillsIt() throws Exception {
        String leftover = marker();
        String plain = marker();
        ChildJvm child = ChildJvm.start(dir, children, List.of(), "hold", "leftover:" + leftover, "plain:" + plain);
        killAfterTest(child.helper());
        awaitRunning(leftover, 1); // it ignores SIGTERM; its SIGKILL is due 1 s after its task ended

        child.process().destroyForcibly();
        assertTrue(child.process().waitFor(10, TimeUnit.SECONDS));

        within(Duration.ofSeconds(5)).until(() -> !Procs.alive(child.helper()));
        awaitGone(Duration.ofSeconds(1).plus(SLACK), leftover, plain);
    }

    /**
     * BUG 2: a leftover that left the process group (setpgid) and ignores SIGTERM. The task's
     * own process exits; the helper finds the stray in the session and sends it SIGTERM, but the
     * delayed SIGKILL is sent only {@code if group_alive}, and the group is empty.
     */
    @Test
    void anEscapedLeftoverThatIgnoresSigtermIsKilledAfterTheGrace() {
        String escapee = marker();
        Path ready = dir.resolve("ready");
        BackgroundTasks tasks = newTasks();
        TaskHandle h = tasks.start(TaskSpec.shell("mkfifo \"$READY\"; perl -e '$SIG{TERM} = q(IGNORE); setpgrp(0, 0); "
                + "open(my $f, q(>), $ENV{READY}) or die; close $f; exec @ARGV' sleep " + escapee + " & "
                + "exec 3< \"$READY\"; exit 0") // FIFO: no polling
                .environment(java.util.Map.of("READY", ready.toString())).build());
        long pid = h.pid().orElseThrow();

        TaskResult r = h.onExit().join();
        assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
        Proc e = awaitRunning(escapee, 1).get(0);
        assertNotEquals(pid, e.pgid(), "it left the task's process group");
        assertEquals(pid, e.sid(), "but not the task's session");

        awaitGone(Duration.ofMinutes(1), escapee);
    }

    /**
     * BUG 3: {@code build()} fails (the log directory is a file) after the builder was given a
     * backend; nobody closes that backend, so its helper process runs until the JVM exits.
     */
    @Test
    void aFailedBuildClosesTheBackendItWasGiven() throws Exception {
        java.util.Set<Long> before = new java.util.HashSet<>();
        Procs.helpersOfThisJvm().forEach(p -> before.add(p.pid()));
        Path file = java.nio.file.Files.writeString(dir.resolve("not-a-dir"), "x");
        try {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> BackgroundTasks.builder().backend(ProcessBackend.create()).logDirectory(file).build());
            assertTrue(e.getMessage().contains("is not a directory"), e.getMessage());
            try {
                within(Duration.ofMinutes(1)).until(() -> newHelpers(before).isEmpty());
            } catch (org.awaitility.core.ConditionTimeoutException timeout) {
                throw new AssertionError("helper left running:" + Procs.describe(newHelpers(before)), timeout);
            }
        } finally {
            newHelpers(before).forEach(p -> killAfterTest(p.pid()));
        }
    }

    private static List<Proc> newHelpers(java.util.Set<Long> before) {
        return Procs.helpersOfThisJvm().stream().filter(p -> !before.contains(p.pid())).toList();
    }

    /**
     * BUG 4: after {@code kill()} of a tree, its SIGKILLed members can still be dying, or be
     * zombies until init reaps them (lazily here). The helper's {@code group_alive} is
     * {@code kill(0, -pgid)}, which counts them, so it sends the "leftovers" SIGTERM and sets a
     * SIGKILL timer one grace period (20 s here) away. When {@code Q} arrives before the end of
     * stdin, the helper waits for that timer; {@code Spawner.close()} gives up after 5 s and
     * SIGKILLs the helper. So close() takes 5 s instead of milliseconds, about one time in three
     * (it depends on whether the helper reads Q and the end of input at once); eight rounds make
     * the failure near certain.
     */
    @Test
    void closeIsPromptWhenNothingIsLeftOfAKilledTree() {
        for (int round = 0; round < 8; round++) {
            String m = marker();
            BackgroundTasks tasks = newTasks();
            // A grace longer than the test's timeout: a close() that waited for it would time the test out.
            TaskHandle h = tasks.start(TaskSpec.shell("trap '' TERM; sleep " + m + " & sleep " + m)
                    .stopGracePeriod(Duration.ofMinutes(30)).build());
            awaitRunning(m, 2);
            assertEquals(9, h.kill().join().signal().orElse(-1));
            awaitGone(Duration.ofMinutes(1), m);

            tasks.close(); // nothing was left to stop: it must not wait for the grace
        }
    }

    /**
     * BUG 5 (a gap against catalogue #18, which asks that it be killed or at least reported): a
     * child that calls {@code setsid} leaves the task's process group and session, so neither
     * the group signal nor the session sweep reaches it; it outlives {@code stop()} silently,
     * re-parented to init. While its parent runs it is still the task's descendant, which one
     * /proc pass at signal time can find.
     */
    @Test
    void stopReachesAChildThatCalledSetsid() {
        String escapee = marker();
        String main = marker();
        BackgroundTasks tasks = newTasks();
        TaskHandle h = tasks.start(TaskSpec.shell("setsid sleep " + escapee + " & exec sleep " + main).build());
        long pid = h.pid().orElseThrow();
        within(Duration.ofMinutes(1)).until(() -> Procs.withArg(escapee).stream().anyMatch(p -> p.sid() != pid));
        Proc e = Procs.withArg(escapee).get(0);
        assertNotEquals(pid, e.sid(), "it left the task's session: " + e);
        assertEquals(pid, e.ppid(), "but is the task's child: " + e);

        assertEquals(TaskState.STOPPED, h.stop().join().state());

        awaitGone(Duration.ofMinutes(1), escapee, main);
    }

    /**
     * The helper adopts what tasks leave behind (child subreaper). A double-forked child of a
     * task that still runs is adopted too, and must be left alone until that task ends.
     */
    @Test
    void anAdoptedChildOfARunningTaskLivesUntilItsTaskEnds() {
        String daemon = marker();
        String main = marker();
        BackgroundTasks tasks = newTasks();
        TaskHandle h = tasks.start(TaskSpec.shell("(sleep " + daemon + " &); exec sleep " + main).build());
        long helper = helperOf(h);
        within(Duration.ofMinutes(1)).until(() -> Procs.withArg(daemon).stream().anyMatch(p -> p.ppid() == helper));

        // Another task's end makes the helper look at its children again.
        assertEquals(TaskState.SUCCEEDED, tasks.start(TaskSpec.builder("true").build()).onExit().join().state());
        assertEquals(1, Procs.withArg(daemon).size(), "the running task's daemon was left alone");
        assertEquals(TaskState.RUNNING, h.state());

        assertEquals(TaskState.STOPPED, h.stop().join().state());
        awaitGone(Duration.ofMinutes(1), daemon, main);
    }

    /**
     * A grandchild that called {@code setsid} and whose parent has exited is out of reach of
     * any group or session signal; the helper adopts it and ends it when its task ends.
     */
    @Test
    void anOrphanedEscapeeIsEndedWithItsTask() {
        String escapee = marker();
        BackgroundTasks tasks = newTasks();
        TaskHandle h = tasks.start(TaskSpec.shell("(setsid sleep " + escapee + " &); sleep 1").build());
        long pid = h.pid().orElseThrow();
        within(Duration.ofMinutes(1)).until(() -> Procs.withArg(escapee).stream().anyMatch(p -> p.sid() != pid));
        TaskResult r = h.onExit().join();
        assertEquals(TaskState.SUCCEEDED, r.state());
        awaitGone(Duration.ofMinutes(1), escapee);
    }
}
