package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.testkit.ProcessMarkers.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A process that left its task's session (setsid) is ended with its own task, whatever other
 * tasks run (issue 6, case 3). The helper attributes a re-parented process to its task by the
 * {@code BGTASKS_TASK} variable it inherited; before, it was attributed to every task running
 * when it was noticed, so one long task kept every escapee of every other task alive.
 * Each test keeps another task running throughout. Processes signal readiness through a FIFO
 * ({@code echo > fifo} blocks until the task reads it), never by polling. Markers travel in the
 * environment, so that only the processes meant to carry them have them as arguments.
 *
 * <p>Perl helper only: it adopts escapees as a child subreaper; the JDK strategy ends an escapee only while it is a descendant of a running process of the task.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EscapedProcessTest extends RealProcessTest {

    /** A double-forked daemon that ignores SIGTERM, of a task that SUCCEEDED: SIGKILL after that task's grace. */
    @Test
    void aDaemonOfASucceededTaskEndsWithItsOwnGraceWhileAnotherTaskRuns() throws Exception {
        String daemon = marker();
        String other = marker();
        Path ready = mkfifo("ready");
        Path go = mkfifo("go");
        BackgroundTasks tasks = newTasks();
        TaskHandle running = tasks.start(TaskSpec.builder("sleep", other).build());
        TaskHandle h = tasks.start(TaskSpec.shell(
                        "(setsid sh -c 'trap \"\" TERM; echo ready > \"$READY\"; exec sleep \"$M\"' &); "
                                + "read x < \"$READY\"; read x < \"$GO\"; exit 0")
                .environment(Map.of("READY", ready.toString(), "GO", go.toString(), "M", daemon))
                .stopGracePeriod(Duration.ofSeconds(1)).build());
        long pid = h.pid().orElseThrow();
        long helper = helperOf(running);
        Proc d = awaitRunning(daemon, 1).get(0);
        assertNotEquals(pid, d.sid(), "it left the task's session: " + d);
        within(Duration.ofSeconds(10)).until(() -> Procs.withArg(daemon).stream().allMatch(p -> p.ppid() == helper));
        Files.writeString(go, "go\n");

        TaskResult r = h.onExit().join();
        assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());

        awaitGone(Duration.ofSeconds(1).plus(SLACK), daemon);
        assertEquals(TaskState.RUNNING, running.state(), "the other task was left alone");
        assertEquals(1, Procs.withArg(other).size());
    }

    /** A setsid child that ignores SIGTERM, of a task stop() reported STOPPED: SIGKILL at stop + that task's grace. */
    @Test
    void aSetsidChildOfAStoppedTaskEndsWithItsOwnGraceWhileAnotherTaskRuns() throws Exception {
        String child = marker();
        String main = marker();
        String other = marker();
        Path fifo = mkfifo("ready");
        BackgroundTasks tasks = newTasks();
        TaskHandle running = tasks.start(TaskSpec.builder("sleep", other).build());
        TaskHandle h = tasks.start(TaskSpec.shell(
                        "setsid sh -c 'trap \"\" TERM; echo ready > \"$READY\"; exec sleep \"$M\"' & "
                                + "read x < \"$READY\"; exec sleep \"$MAIN\"")
                .environment(Map.of("READY", fifo.toString(), "M", child, "MAIN", main))
                .stopGracePeriod(Duration.ofSeconds(2)).build());
        long pid = h.pid().orElseThrow();
        awaitRunning(main, 1);
        Proc c = awaitRunning(child, 1).get(0);
        assertNotEquals(pid, c.sid(), "it left the task's session: " + c);
        assertEquals(pid, c.ppid(), "but is the task's child: " + c);

        TaskResult r = h.stop().join();
        assertEquals(TaskState.STOPPED, r.state(), r.toString());

        awaitGone(Duration.ofSeconds(2).plus(SLACK), child, main);
        assertEquals(TaskState.RUNNING, running.state(), "the other task was left alone");
    }

    /** stop() reaches at once (SIGTERM, not the SIGKILL 20 s later) a double-forked escapee of the running task. */
    @Test
    void stopSignalsTheReparentedEscapeesOfTheTaskAtOnce() throws Exception {
        String escapee = marker();
        String main = marker();
        String other = marker();
        Path fifo = mkfifo("ready");
        BackgroundTasks tasks = newTasks();
        TaskHandle running = tasks.start(TaskSpec.builder("sleep", other).build());
        TaskHandle h = tasks.start(TaskSpec.shell(
                        "(setsid sh -c 'echo ready > \"$READY\"; exec sleep \"$M\"' &); "
                                + "read x < \"$READY\"; exec sleep \"$MAIN\"")
                .environment(Map.of("READY", fifo.toString(), "M", escapee, "MAIN", main))
                .stopGracePeriod(Duration.ofSeconds(20)).build());
        long helper = helperOf(h);
        awaitRunning(main, 1);
        within(Duration.ofSeconds(10)).until(() -> Procs.withArg(escapee).stream().anyMatch(p -> p.ppid() == helper));

        TaskResult r = h.stop().join();
        assertEquals(TaskState.STOPPED, r.state(), r.toString());

        awaitGone(SLACK, escapee, main);
        assertEquals(TaskState.RUNNING, running.state(), "the other task was left alone");
    }

    /**
     * The fallback: a daemon that cleared its environment (env -i) cannot be attributed by its
     * variable; it is attributed to the tasks running when it was re-parented, and ended once
     * they have all ended.
     */
    @Test
    void aDaemonWithAClearedEnvironmentEndsWhenTheTasksThatRanHaveEnded() throws Exception {
        String daemon = marker();
        Path ready = mkfifo("ready");
        Path go = mkfifo("go");
        BackgroundTasks tasks = newTasks();
        TaskHandle h = tasks.start(TaskSpec.shell(
                        "(env -i /usr/bin/setsid /bin/sh -c 'trap \"\" TERM; echo ready > \"$0\"; exec /bin/sleep \"$1\"' "
                                + "\"$READY\" \"$M\" &); read x < \"$READY\"; read x < \"$GO\"; exit 0")
                .environment(Map.of("READY", ready.toString(), "GO", go.toString(), "M", daemon))
                .stopGracePeriod(Duration.ofSeconds(1)).build());
        awaitRunning(daemon, 1);
        Files.writeString(go, "go\n");

        assertEquals(TaskState.SUCCEEDED, h.onExit().join().state());
        awaitGone(Duration.ofSeconds(1).plus(SLACK), daemon);
    }

    private Path mkfifo(String name) throws Exception {
        Path fifo = dir.resolve(name);
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "mkfifo " + fifo);
        return fifo;
    }
}
