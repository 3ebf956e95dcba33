package io.github.bgtasks.testkit;

import static io.github.bgtasks.testkit.VirtualTime.patiently;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.health.Alert;
import io.github.bgtasks.health.CheckResult;
import io.github.bgtasks.health.Health;
import io.github.bgtasks.health.HealthCheck;
import io.github.bgtasks.health.RestartPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an unhealthy check does besides its alert ({@link HealthCheck#onUnhealthy(HealthCheck.Action)})
 * and the instance's own checks ({@code BackgroundTasks.Builder.healthCheck}), in virtual time
 * (issue 9). The fake backend's tasks exit on SIGTERM, as a polite process does.
 */
class HealthActionTest {
    static final Duration PERIOD = Duration.ofSeconds(10);
    static final Duration SECOND = Duration.ofSeconds(1);

    @TempDir
    Path dir;
    FakeBackend backend = new FakeBackend().exitOnTerminate(true);
    FakeTicker time = new FakeTicker();
    FakeScheduler scheduler = new FakeScheduler(time);
    List<Alert> alerts = new CopyOnWriteArrayList<>();
    BackgroundTasks tasks;

    @BeforeEach
    void build() {
        tasks = VirtualTime.builder(backend, time, scheduler).logDirectory(dir).alertListener(alerts::add).build();
    }

    @AfterEach
    void close() {
        tasks.close();
    }

    private static HealthCheck failing(String name) {
        return HealthCheck.custom(name, () -> CheckResult.unhealthy("down", "evidence of " + name)).every(PERIOD);
    }

    private List<Alert> alerts(Alert.Kind kind) {
        return alerts.stream().filter(a -> a.kind() == kind).toList();
    }

    /** Advances one period and waits until run {@code n} has ended and its restart is scheduled. */
    private void unhealthyRun(int n) {
        scheduler.advance(PERIOD);
        patiently().until(() -> backend.launched().size() == n && backend.launched().get(n - 1).terms() == 1
                && tasks.find("web." + n).orElseThrow().state() == TaskState.STOPPED && scheduler.pending() == 1);
    }

    @Test
    void restartStopsTheRunAndStartsANewOneAfterTheBackoffThenGivesUp() {
        List<TaskResult> heard = new CopyOnWriteArrayList<>();
        TaskHandle h = tasks.start(TaskSpec.builder("sleep", "1000").name("web")
                .healthCheck(failing("api").failureThreshold(2).onUnhealthy(HealthCheck.Action.RESTART))
                .restart(RestartPolicy.onFailure().maxRestarts(1).backoff(SECOND, SECOND)).build());
        h.addListener(heard::add);

        scheduler.advance(PERIOD);
        patiently().until(() -> h.health().checks().get("api").message().contains("1 of 2 failures"));
        assertEquals(0, backend.launched().get(0).terms(), "below the failure threshold nothing acts");
        unhealthyRun(1);
        Alert a = alerts(Alert.Kind.UNHEALTHY).get(0);
        assertEquals("check 'api' is unhealthy: down; restarting the task", a.message());
        assertEquals(List.of("evidence of api"), a.evidence());

        scheduler.advance(SECOND);
        patiently().until(() -> backend.launched().size() == 2 && scheduler.pending() == 1);
        assertEquals("web.2", h.id(), "the handle follows the new run");
        assertEquals(Health.State.UNKNOWN, h.health().state(), "a new run starts with fresh counters");

        scheduler.advance(PERIOD);
        patiently().until(() -> h.health().checks().get("api").message().contains("1 of 2 failures")
                && scheduler.pending() == 1);
        scheduler.advance(PERIOD); // the second unhealthy turn: the limit of one restart is reached
        TaskResult last = h.onExit().join();
        assertEquals("web.2", last.id());
        assertEquals(TaskState.STOPPED, last.state());
        patiently().until(() -> alerts(Alert.Kind.GAVE_UP).size() == 1 && heard.size() == 2);
        assertTrue(alerts(Alert.Kind.GAVE_UP).get(0).message().contains("gave up restarting after 1 restart(s)"),
                alerts.toString());
        assertTrue(alerts(Alert.Kind.FAILED).isEmpty(), "a run stopped by its check is no failure: " + alerts);
        scheduler.advance(Duration.ofDays(1));
        assertEquals(2, backend.launched().size());
    }

    @Test
    void restartWorksWithoutARestartPolicyAndOnlyForUnhealthyChecks() {
        TaskHandle h = tasks.start(TaskSpec.builder("sleep", "1000").name("web")
                .healthCheck(failing("api").onUnhealthy(HealthCheck.Action.RESTART)).build());
        unhealthyRun(1);
        scheduler.advance(SECOND); // RestartPolicy.onFailure()'s first backoff
        patiently().until(() -> backend.launched().size() == 2 && scheduler.pending() == 1);
        assertEquals("web.2", h.id());

        backend.launched().get(1).exit().complete(io.github.bgtasks.spi.ExitStatus.exited(1));
        TaskResult last = h.onExit().join();
        assertEquals(TaskState.FAILED, last.state(), "a failure by itself is not restarted: no restart policy");
        scheduler.advance(Duration.ofDays(1));
        assertEquals(2, backend.launched().size());
    }

    @Test
    void stopEndsTheTaskAndNoRestartPolicyBringsItBack() {
        TaskHandle h = tasks.start(TaskSpec.builder("sleep", "1000").name("web")
                .healthCheck(failing("api").onUnhealthy(HealthCheck.Action.STOP))
                .restart(RestartPolicy.always().backoff(SECOND, SECOND)).build());
        scheduler.advance(PERIOD);
        TaskResult last = h.onExit().join();
        assertEquals(TaskState.STOPPED, last.state());
        assertEquals(1, backend.launched().get(0).terms());
        patiently().until(() -> alerts.size() == 1);
        assertEquals("check 'api' is unhealthy: down; stopping the task", alerts.get(0).message());
        scheduler.advance(Duration.ofDays(1));
        assertEquals(1, backend.launched().size());
    }

    @Test
    void alertOnlyIsTheDefaultAndLeavesTheTaskRunning() {
        TaskHandle h = tasks.start(TaskSpec.builder("sleep", "1000").name("web").healthCheck(failing("api")).build());
        assertEquals(HealthCheck.Action.ALERT, failing("api").onUnhealthy());
        scheduler.advance(PERIOD);
        patiently().until(() -> alerts.size() == 1 && scheduler.pending() == 1);
        assertEquals("check 'api' is unhealthy: down", alerts.get(0).message());
        assertEquals(TaskState.RUNNING, h.state());
        assertEquals(0, backend.launched().get(0).terms());
        assertEquals("Task{web.1 RUNNING UNHEALTHY [api: down] [sleep, 1000]}", tasks.list().get(0).toString(),
                "list() shows the health in one line");
        TaskHandle plain = tasks.start(TaskSpec.builder("sleep", "1000").name("plain").build());
        assertEquals("Task{plain.1 RUNNING [sleep, 1000]}", plain.toString(), "no checks: no health shown");
        assertThrows(NullPointerException.class, () -> failing("api").onUnhealthy(null));
    }

    @Test
    void theInstancesChecksApplyToEveryTaskAndATasksOwnCheckOfTheSameNameReplacesIt() {
        tasks.close();
        backend = new FakeBackend().exitOnTerminate(true);
        tasks = VirtualTime.builder(backend, time, scheduler).logDirectory(dir).alertListener(alerts::add)
                .healthCheck(failing("disk"))
                .healthCheck(failing("api")).build();
        TaskHandle a = tasks.start(TaskSpec.builder("sleep", "1000").name("a").build());
        TaskHandle b = tasks.start(TaskSpec.builder("sleep", "1000").name("b")
                .healthCheck(HealthCheck.custom("api", () -> CheckResult.healthy("fine")).every(PERIOD)).build());
        scheduler.advance(PERIOD);
        patiently().until(() -> alerts.size() == 3 && scheduler.pending() == 4);
        assertEquals(List.of("a.1 api", "a.1 disk", "b.1 disk"), alerts.stream().map(x -> x.taskId() + " " + x.check())
                .sorted().toList(), "each task has its own copy of each instance-wide check; b's own 'api' wins");
        assertEquals(List.of("disk", "api"), List.copyOf(a.health().checks().keySet()));
        assertEquals(List.of("api", "disk"), List.copyOf(b.health().checks().keySet()), "the task's own checks first");
        assertTrue(b.health().checks().get("api").isHealthy());
        assertEquals(IllegalArgumentException.class, assertThrows(IllegalArgumentException.class,
                () -> BackgroundTasks.builder().healthCheck(failing("x")).healthCheck(failing("x"))).getClass());
    }

    @Test
    void checksStartOnceTheTaskIsReadySoABootingServerIsNotRestarted() {
        java.util.concurrent.atomic.AtomicBoolean up = new java.util.concurrent.atomic.AtomicBoolean();
        TaskHandle h = tasks.start(TaskSpec.builder("sleep", "1000").name("web")
                .readiness(io.github.bgtasks.health.Readiness.custom("up", () -> up.get() ? CheckResult.healthy("up")
                        : CheckResult.unhealthy("booting")), Duration.ofHours(1))
                .healthCheck(failing("api").onUnhealthy(HealthCheck.Action.RESTART)).build());
        for (int i = 0; i < 3; i++) {
            scheduler.advance(PERIOD); // readiness polls (every 100 ms) go on; no check runs yet
            patiently().until(() -> scheduler.pending() == 2); // the deadline and the next poll
        }
        assertTrue(alerts.isEmpty(), alerts.toString());
        assertEquals(0, backend.launched().get(0).terms());
        up.set(true);
        scheduler.advance(Duration.ofMillis(100));
        h.onReady().join();
        patiently().until(() -> scheduler.pending() == 1); // the check's first run, one period after ready
        unhealthyRun(1);
        assertEquals("check 'api' is unhealthy: down; restarting the task", alerts.get(0).message());
    }

    @Test
    void anInstanceWideRestartOnlyAlertsOnATaskOfAnEarlierJvm() throws Exception {
        tasks.close();
        backend = new FakeBackend().exitOnTerminate(true);
        backend.addDiscoverable(backend.launch(io.github.bgtasks.spi.Launch.builder("web.7", "web", List.of("server"))
                .workingDirectory(dir).environment(java.util.Map.of()).logFile(dir.resolve("web.7.log"))
                .startedAt(time.clock().instant()).build()));
        tasks = VirtualTime.builder(backend, time, scheduler).logDirectory(dir).alertListener(alerts::add)
                .healthCheck(failing("api").onUnhealthy(HealthCheck.Action.RESTART)).build();
        TaskHandle web = tasks.find("web").orElseThrow();
        scheduler.advance(PERIOD);
        patiently().until(() -> alerts.size() == 1 && scheduler.pending() == 1);
        assertEquals("check 'api' is unhealthy: down", alerts.get(0).message(), "no restart: nothing to restart from");
        assertEquals(0, backend.launched().get(0).terms());
        assertEquals(TaskState.RUNNING, web.state());
    }

    @Test
    void anInstanceWideRestartAppliesToEveryTask() {
        tasks.close();
        backend = new FakeBackend().exitOnTerminate(true);
        tasks = VirtualTime.builder(backend, time, scheduler).logDirectory(dir)
                .healthCheck(failing("api").onUnhealthy(HealthCheck.Action.RESTART)).build();
        TaskHandle h = tasks.start(TaskSpec.builder("sleep", "1000").name("web").build());
        unhealthyRun(1);
        scheduler.advance(SECOND);
        patiently().until(() -> backend.launched().size() == 2);
        assertEquals("web.2", h.id());
    }
}
