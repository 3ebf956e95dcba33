package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.health.Alert;
import io.github.bgtasks.health.RestartPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Restart policies on real processes (issue 9). Backoffs are short (the first test) or an hour
 * (the stop during the backoff); nothing asserts how long anything took.
 */
class RestartTest extends RealProcessTest {
    static final Duration PATIENCE = Duration.ofSeconds(60);

    private final List<Alert> alerts = new CopyOnWriteArrayList<>();

    @Test
    void aFailingTaskRunsThreeTimesWithThreeLogsThenGivesUpWithAnAlert() throws Exception {
        String m = marker();
        List<TaskResult> heard = new CopyOnWriteArrayList<>();
        BackgroundTasks tasks = newTasks(b -> b.alertListener(alerts::add));
        TaskHandle h = tasks.start(TaskSpec.builder("sh", "-c", "echo boom >&2; exit 3", "sh", m).name("flaky")
                .restart(RestartPolicy.onFailure().maxRestarts(2).backoff(Duration.ofMillis(10), Duration.ofMillis(50)))
                .build());
        h.addListener(heard::add);

        TaskResult last = h.onExit().get();
        assertEquals("flaky.3", last.id());
        assertEquals(TaskState.FAILED, last.state());
        within(PATIENCE).until(() -> heard.size() == 3
                && alerts.stream().anyMatch(a -> a.kind() == Alert.Kind.GAVE_UP));
        assertEquals(List.of("flaky.1", "flaky.2", "flaky.3"), heard.stream().map(TaskResult::id).toList());
        for (TaskResult r : heard) {
            assertEquals(3, r.exitCode().orElseThrow(), r.summary());
            assertEquals(List.of("boom"), Files.readAllLines(r.logFile()), "run " + r.id() + " has its own log");
        }
        assertEquals(3, heard.stream().map(TaskResult::logFile).map(Path::toString).distinct().count());
        assertEquals(3, tasks.list().size(), "each run is listed");

        Alert gaveUp = alerts.stream().filter(a -> a.kind() == Alert.Kind.GAVE_UP).findFirst().orElseThrow();
        assertEquals("flaky.3", gaveUp.taskId());
        assertTrue(gaveUp.message().contains("gave up restarting after 2 restart(s)")
                && gaveUp.message().contains("(exit 3)"), gaveUp.toString());
        assertTrue(gaveUp.logLines().contains("boom"), "the last run's lines: " + gaveUp);
        assertEquals(1, alerts.stream().filter(a -> a.kind() == Alert.Kind.GAVE_UP).count());

        tasks.close();
        assertTrue(Procs.withArg(m).isEmpty(), "nothing left running: " + Procs.describe(Procs.withArg(m)));
    }

    @Test
    void aStopDuringTheBackoffEndsTheRestarting() throws Exception {
        String m = marker();
        BackgroundTasks tasks = newTasks(b -> b.alertListener(alerts::add));
        TaskHandle h = tasks.start(TaskSpec.builder("sh", "-c", "echo boom >&2; exit 3", "sh", m).name("flaky")
                .restart(RestartPolicy.always().backoff(Duration.ofHours(1), Duration.ofHours(1))).build());
        within(PATIENCE).until(() -> h.state() == TaskState.FAILED); // run 1 ended: the backoff runs

        h.stop();
        TaskResult last = h.onExit().get();
        assertEquals("flaky.1", last.id());
        assertEquals(TaskState.FAILED, last.state(), "the restarting ends with the last run's result");
        tasks.close();
        assertEquals(List.of("flaky.1"), tasks.list().stream().map(TaskHandle::id).toList(), "no second run");
        assertTrue(alerts.stream().noneMatch(a -> a.kind() == Alert.Kind.GAVE_UP), "a stop is no giving up: " + alerts);
        assertTrue(Procs.withArg(m).isEmpty(), "nothing left running: " + Procs.describe(Procs.withArg(m)));
    }

    @Test
    void aStopOfARunningRestartingTaskStopsItAndEndsTheRestarting() throws Exception {
        String m = marker();
        BackgroundTasks tasks = newTasks();
        TaskHandle h = tasks.start(TaskSpec.builder("sh", "-c", "sleep 1000; exit 0", "sh", m).name("server")
                .restart(RestartPolicy.always().backoff(Duration.ofMillis(10), Duration.ofMillis(10))).build());
        awaitRunning(m, 1);
        TaskResult last = h.stop().get();
        assertEquals(TaskState.STOPPED, last.state());
        assertEquals("server.1", last.id());
        tasks.close();
        assertEquals(1, tasks.list().size(), "no second run");
        assertTrue(Procs.withArg(m).isEmpty(), "nothing left running: " + Procs.describe(Procs.withArg(m)));
    }
}
