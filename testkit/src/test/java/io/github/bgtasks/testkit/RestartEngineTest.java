package io.github.bgtasks.testkit;

import static io.github.bgtasks.testkit.VirtualTime.patiently;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.health.Alert;
import io.github.bgtasks.health.RestartPolicy;
import io.github.bgtasks.spi.ExitStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restart policies in virtual time (issue 9): backoff, jitter bounds, limits and windows pass
 * when the test advances the {@link FakeScheduler}. Each run's end reaches the engine on the
 * callback executor, so each step waits (bounded only by a patience against hangs) for the
 * backoff timer to be scheduled.
 */
class RestartEngineTest {
    static final Duration SECOND = Duration.ofSeconds(1);
    static final Duration MS = Duration.ofMillis(1);

    @TempDir
    Path dir;
    FakeBackend backend = new FakeBackend();
    FakeTicker time = new FakeTicker();
    FakeScheduler scheduler = new FakeScheduler(time);
    List<Alert> alerts = new CopyOnWriteArrayList<>();
    BackgroundTasks tasks;

    @BeforeEach
    void build() {
        tasks = VirtualTime.builder(backend, time, scheduler)
                .logDirectory(dir).alertListener(alerts::add).build();
    }

    @AfterEach
    void close() {
        backend.exitOnTerminate(true);
        tasks.close();
    }

    private FakeBackend.FakeTask run(int n) {
        return backend.launched().get(n - 1);
    }

    /** Ends the latest run with this exit code and waits for the backoff timer. */
    private void fail(int n, int code) {
        run(n).exit().complete(ExitStatus.exited(code));
        patiently().until(() -> scheduler.pending() == 1);
    }

    private List<Alert> alerts(Alert.Kind kind) {
        return alerts.stream().filter(a -> a.kind() == kind).toList();
    }

    @Test
    void onFailureRestartsWithExponentialBackoffThenGivesUpWithAnAlert() {
        List<TaskResult> heard = new CopyOnWriteArrayList<>();
        TaskHandle h = tasks.start(TaskSpec.builder("false").name("web")
                .restart(RestartPolicy.onFailure().maxRestarts(2).backoff(SECOND, Duration.ofSeconds(10))).build());
        h.addListener(heard::add);

        fail(1, 3);
        scheduler.advance(Duration.ofMillis(499)); // jitter draws from the upper half: at least 500 ms
        assertEquals(1, backend.launched().size());
        scheduler.advance(Duration.ofMillis(501));
        assertEquals(2, backend.launched().size(), "restarted within the first backoff (1 s)");
        assertEquals("web.2", h.id(), "the handle follows the current run");

        fail(2, 3);
        scheduler.advance(Duration.ofMillis(999)); // the second backoff is 2 s: at least 1 s
        assertEquals(2, backend.launched().size());
        scheduler.advance(Duration.ofMillis(1001));
        assertEquals(3, backend.launched().size(), "restarted within the second backoff (2 s)");

        run(3).exit().complete(ExitStatus.exited(3));
        TaskResult last = h.onExit().join();
        assertEquals("web.3", last.id(), "onExit() completes with the last run's result");
        assertEquals(TaskState.FAILED, last.state());
        patiently().until(() -> heard.size() == 3 && alerts(Alert.Kind.GAVE_UP).size() == 1);
        assertEquals(List.of("web.1", "web.2", "web.3"), heard.stream().map(TaskResult::id).toList(),
                "the listener hears each run");
        assertEquals(3, heard.stream().map(TaskResult::logFile).distinct().count(), "each run has its own log");
        Alert gaveUp = alerts(Alert.Kind.GAVE_UP).get(0);
        assertEquals("web.3", gaveUp.taskId());
        assertTrue(gaveUp.message().contains("gave up restarting after 2 restart(s)"), gaveUp.toString());
        assertEquals(0, scheduler.pending(), "no timer is left");
        scheduler.advance(Duration.ofDays(1));
        assertEquals(3, backend.launched().size());
    }

    @Test
    void theBackoffIsCappedAtItsMaximum() {
        tasks.start(TaskSpec.builder("false").name("web")
                .restart(RestartPolicy.onFailure().backoff(SECOND, Duration.ofSeconds(3))).build());
        for (int n = 1; n <= 5; n++) {
            fail(n, 1);
            scheduler.advance(Duration.ofSeconds(3)); // 1, 2, then 4 capped to 3
            assertEquals(n + 1, backend.launched().size(), "run " + (n + 1) + " within the capped backoff");
        }
    }

    @Test
    void aStopDuringTheBackoffEndsTheRestarting() {
        TaskHandle h = tasks.start(TaskSpec.builder("false").name("web")
                .restart(RestartPolicy.always().backoff(SECOND, SECOND)).build());
        fail(1, 3);
        h.stop();
        TaskResult last = h.onExit().join();
        assertEquals("web.1", last.id());
        assertEquals(0, scheduler.pending(), "the backoff timer is cancelled");
        scheduler.advance(Duration.ofDays(1));
        assertEquals(1, backend.launched().size());
        assertTrue(alerts(Alert.Kind.GAVE_UP).isEmpty(), "a stop is no giving up");
    }

    @Test
    void aStoppedRunIsNotRestartedAndATimeoutCountsAsAFailure() {
        backend.exitOnTerminate(true);
        TaskHandle h = tasks.start(TaskSpec.builder("sleep", "1000").name("web").timeout(Duration.ofMinutes(1))
                .restart(RestartPolicy.onFailure().backoff(SECOND, SECOND)).build());
        scheduler.advance(Duration.ofMinutes(1)); // the timeout: SIGTERM, the fake exits
        // the end cancels the kill timer in the same step as it sets the state: then only the backoff is left
        patiently().until(() -> tasks.find("web.1").orElseThrow().state() == TaskState.TIMED_OUT
                && scheduler.pending() == 1);
        scheduler.advance(SECOND);
        assertEquals(2, backend.launched().size(), "a timed-out run is restarted under onFailure()");
        assertEquals(TaskState.TIMED_OUT, tasks.find("web.1").orElseThrow().state());

        tasks.find("web").orElseThrow().stop(); // a stop of the run itself, not of the handle
        TaskResult last = h.onExit().join();
        assertEquals(TaskState.STOPPED, last.state());
        assertEquals("web.2", last.id());
        scheduler.advance(Duration.ofDays(1));
        assertEquals(2, backend.launched().size());
    }

    @Test
    void alwaysRestartsASuccessAndNeverDoesNot() {
        TaskHandle h = tasks.start(TaskSpec.builder("true").name("web")
                .restart(RestartPolicy.always().maxRestarts(1).backoff(SECOND, SECOND)).build());
        fail(1, 0);
        scheduler.advance(SECOND);
        assertEquals(2, backend.launched().size());
        run(2).exit().complete(ExitStatus.exited(0));
        assertEquals("web.2", h.onExit().join().id());

        TaskHandle once = tasks.start(TaskSpec.builder("false").name("once")
                .restart(RestartPolicy.never()).build());
        run(3).exit().complete(ExitStatus.exited(1));
        assertEquals(TaskState.FAILED, once.onExit().join().state());
        assertEquals(0, scheduler.pending());
    }

    @Test
    void onlyTheRestartsOfTheWindowCount() {
        TaskHandle h = tasks.start(TaskSpec.builder("false").name("web")
                .restart(RestartPolicy.onFailure().maxRestarts(1).within(Duration.ofMinutes(1))
                        .backoff(SECOND, Duration.ofSeconds(10))).build());
        fail(1, 1);
        scheduler.advance(SECOND);
        assertEquals(2, backend.launched().size());
        scheduler.advance(Duration.ofMinutes(2)); // run 2 runs well for longer than the window
        fail(2, 1);
        scheduler.advance(SECOND); // the window forgot restart 1: backoff back at 1 s
        assertEquals(3, backend.launched().size());
        run(3).exit().complete(ExitStatus.exited(1)); // at once: restart 2 is in the window
        assertEquals("web.3", h.onExit().join().id());
        patiently().until(() -> alerts(Alert.Kind.GAVE_UP).size() == 1);
        assertTrue(alerts(Alert.Kind.GAVE_UP).get(0).message().contains("within 1m 00s"), alerts.toString());
    }

    @Test
    void closingTheInstanceDuringTheBackoffEndsTheRestarting() {
        TaskHandle h = tasks.start(TaskSpec.builder("false").name("web")
                .restart(RestartPolicy.onFailure().backoff(SECOND, SECOND)).build());
        fail(1, 1);
        tasks.close();
        assertEquals("web.1", h.onExit().join().id());
        scheduler.advance(Duration.ofDays(1));
        assertEquals(1, backend.launched().size());
        assertFalse(h.onExit().isCompletedExceptionally());
    }
}
