package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The helper itself is stopped with SIGTERM from outside (issue 6, case 2, the helper's part):
 * it ends every task as when the JVM dies (SIGTERM now, SIGKILL at the grace deadline), also what
 * left the tasks' sessions, and exits once nothing of them is left. Before, SIGTERM killed the
 * helper at once and every task process ran on under init.
 *
 * <p>Perl helper only.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HelperTermTest extends RealProcessTest {

    @Test
    void sigtermToTheHelperEndsEveryTaskWithItsGraceThenTheHelperExits() {
        String escapee = marker();
        String main = marker();
        String stubborn = marker();
        String plain = marker();
        BackgroundTasks tasks = newTasks();
        Duration grace = Duration.ofSeconds(1);
        TaskHandle withEscapee = tasks.start(TaskSpec.shell(
                "(setsid sh -c \"trap '' TERM; exec sleep " + escapee + "\" &); exec sleep " + main).stopGracePeriod(grace).build());
        TaskHandle ignoresTerm = tasks.start(TaskSpec.shell("trap '' TERM; exec sleep " + stubborn).stopGracePeriod(grace).build());
        TaskHandle simple = tasks.start(TaskSpec.builder("sleep", plain).stopGracePeriod(grace).build());
        long helper = helperOf(simple);
        killAfterTest(helper);
        for (String m : List.of(escapee, main, stubborn, plain)) {
            awaitRunning(m, 1);
        }
        within(Duration.ofSeconds(10)).until(() -> Procs.withArg(escapee).stream().allMatch(p -> p.ppid() == helper));

        Procs.signal(helper, "TERM");

        awaitGone(grace.plus(SLACK), escapee, main, stubborn, plain);
        within(Duration.ofSeconds(5)).until(() -> !Procs.alive(helper));
        for (TaskHandle h : List.of(withEscapee, ignoresTerm, simple)) {
            within(SLACK).until(() -> h.onExit().isDone()); // reported: ended, or lost with the helper
            awaitSessionEmpty(h.pid().orElseThrow(), Duration.ofSeconds(1));
        }
        assertTrue(Procs.zombiesOf(helper).isEmpty());
    }
}
