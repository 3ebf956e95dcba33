package io.github.bgtasks.testkit;

import static io.github.bgtasks.testkit.VirtualTime.patiently;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.GroupResult;
import io.github.bgtasks.GroupSpec;
import io.github.bgtasks.Pipeline;
import io.github.bgtasks.PipelineHandle;
import io.github.bgtasks.PipelineResult;
import io.github.bgtasks.StepResult;
import io.github.bgtasks.TaskGroup;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.health.RestartPolicy;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.Launch;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ordering logic of groups and pipelines (issue 10) on the {@link FakeBackend}, whose tasks
 * end when the test says: queue order, the cap, fail-fast, a stop that catches a start in the
 * middle, failed starts, and the errors for bad input. Real processes: {@link CompositionContract}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CompositionEngineTest {
    @TempDir
    Path dir;
    FakeBackend backend = new FakeBackend();
    BackgroundTasks tasks;

    @BeforeEach
    void build() {
        tasks = BackgroundTasks.builder().backend(backend).logDirectory(dir).build();
    }

    @AfterEach
    void close() {
        backend.exitOnTerminate(true);
        tasks.close();
    }

    private static TaskSpec task(String name) {
        return TaskSpec.builder("true").name(name).build();
    }

    private void exit(int launch, int code) {
        backend.launched().get(launch).exit().complete(ExitStatus.exited(code));
    }

    private List<String> launchedNames() {
        return backend.launched().stream().map(t -> t.launch().name()).toList();
    }

    @Test
    void queuedTasksStartInOrderOneForEachEnd() {
        TaskGroup g = tasks.group("ordered").maxParallel(2)
                .add(task("a")).add(task("b")).add(task("c")).add(task("d")).start();
        assertEquals(List.of("a", "b"), launchedNames());
        assertEquals(List.of(TaskState.RUNNING, TaskState.RUNNING, TaskState.QUEUED, TaskState.QUEUED),
                g.tasks().stream().map(TaskHandle::state).toList());
        exit(1, 0);
        patiently().until(() -> backend.launched().size() == 3);
        assertEquals(List.of("a", "b", "c"), launchedNames());
        exit(0, 0);
        patiently().until(() -> backend.launched().size() == 4);
        assertEquals(List.of("a", "b", "c", "d"), launchedNames());
        exit(2, 0);
        exit(3, 0);
        GroupResult r = g.onExit().join();
        assertTrue(r.succeeded(), r.summary());
        assertEquals(List.of("a", "b", "c", "d"), r.results().stream().map(TaskResult::name).toList(), "in the order added");
        assertTrue(r.summary().startsWith("ordered SUCCEEDED in "), r.summary());
    }

    @Test
    void queuedAndSkippedTasksAreListedWithoutAPid() {
        TaskGroup g = tasks.group("listed").maxParallel(1).add(task("first")).add(task("second")).start();
        TaskHandle queued = tasks.find("second").orElseThrow();
        assertEquals(TaskState.QUEUED, queued.state());
        assertEquals("second", queued.id());
        assertTrue(queued.pid().isEmpty());
        assertTrue(queued.tail(5).isEmpty());
        assertThrows(IllegalStateException.class, queued::logFile);
        assertThrows(IllegalStateException.class, () -> queued.send("x"));
        assertEquals(List.of("first", "second"), tasks.list().stream().map(TaskHandle::name).toList());
        IllegalStateException notYet = assertThrows(IllegalStateException.class, () -> tasks.remove(queued));
        assertTrue(notYet.getMessage().contains("queued"), notYet.getMessage());

        TaskResult skipped = queued.stop().join(); // a queued task leaves the queue
        assertEquals(TaskState.SKIPPED, skipped.state());
        assertEquals("second SKIPPED (stopped before it started)", skipped.summary());
        assertEquals(TaskState.SKIPPED, tasks.find("second").orElseThrow().state());
        exit(0, 0);
        GroupResult r = g.onExit().join();
        assertEquals(TaskState.STOPPED, r.state(), r.summary());
        assertEquals(1, backend.launched().size(), "the skipped task never started");
        tasks.remove(tasks.find("second").orElseThrow());
        assertTrue(tasks.find("second").isEmpty());
    }

    @Test
    void failFastTerminatesTheRunningAndSkipsTheQueued() {
        backend.exitOnTerminate(true);
        TaskGroup g = tasks.group("fast").maxParallel(2).failFast(true)
                .add(task("a")).add(task("b")).add(task("c")).start();
        exit(0, 2);
        GroupResult r = g.onExit().join();
        assertEquals(List.of(TaskState.FAILED, TaskState.STOPPED, TaskState.SKIPPED),
                r.results().stream().map(TaskResult::state).toList(), r.summary());
        assertEquals(TaskState.FAILED, r.state());
        assertEquals(1, backend.launched().get(1).terms());
        assertEquals(2, backend.launched().size(), "the queued task never started");
        assertTrue(r.results().get(2).summary().contains("failed fast: a FAILED"), r.results().get(2).summary());
    }

    @Test
    void aStopWhileATaskIsBeingStartedStopsItAtOnce() {
        backend.exitOnTerminate(true);
        TaskGroup g = tasks.group("caught").maxParallel(1).add(task("a")).add(task("b")).add(task("c")).start();
        CountDownLatch gate = new CountDownLatch(1);
        backend.launchGate(gate);
        exit(0, 0); // "b" starts on the callback thread, and waits in the backend's launch
        patiently().until(() -> backend.launchesEntered() == 2);
        g.stop();
        assertEquals(TaskState.SKIPPED, g.tasks().get(2).state(), "a queued task is skipped at once");
        gate.countDown();
        GroupResult r = g.onExit().join();
        assertEquals(List.of(TaskState.SUCCEEDED, TaskState.STOPPED, TaskState.SKIPPED),
                r.results().stream().map(TaskResult::state).toList(), r.summary());
        assertEquals(1, backend.launched().get(1).terms(), "stopped as soon as its start returned");
        assertEquals(2, backend.launched().size());
        assertEquals(TaskState.STOPPED, r.state());
    }

    @Test
    void aTaskThatCannotStartFailsWithTheReasonAndTheNextStarts() {
        backend.failLaunch(new IOException("no such host"));
        GroupResult r = tasks.group("broken").maxParallel(1).add(task("a")).add(task("b")).start().onExit().join();
        assertEquals(List.of(TaskState.FAILED, TaskState.FAILED), r.results().stream().map(TaskResult::state).toList());
        assertTrue(r.results().get(0).summary().contains("could not start"), r.results().get(0).summary());
        assertTrue(r.results().get(0).summary().contains("no such host"), r.results().get(0).summary());
        assertEquals(2, backend.launchesEntered());
    }

    @Test
    void aPipelineRunsItsStepsInTurnAGroupStepWaitsForAllItsTasks() {
        PipelineHandle p = tasks.run(Pipeline.named("turns")
                .step(task("one"))
                .step(GroupSpec.named("both").add(task("x")).add(task("y")))
                .step(task("three")));
        assertEquals(List.of("one"), launchedNames());
        assertEquals(List.of(TaskState.RUNNING, TaskState.QUEUED, TaskState.QUEUED, TaskState.QUEUED),
                p.tasks().stream().map(TaskHandle::state).toList());
        exit(0, 0);
        patiently().until(() -> backend.launched().size() == 3);
        exit(1, 0);
        assertEquals(3, backend.launched().size(), "step 3 waits for both tasks of step 2");
        exit(2, 0);
        patiently().until(() -> backend.launched().size() == 4);
        exit(3, 0);
        PipelineResult r = p.onExit().join();
        assertTrue(r.succeeded(), r.summary());
        assertEquals(List.of("one", "both", "three"), r.steps().stream().map(StepResult::name).toList());
        assertTrue(r.steps().get(1).group().isPresent());
        assertTrue(r.summary().startsWith("turns SUCCEEDED in "), r.summary());
    }

    @Test
    void aStepStoppedByHandStopsThePipelineWithoutAFailure() {
        backend.exitOnTerminate(true);
        PipelineHandle p = tasks.run(Pipeline.named("by-hand").step(task("a")).step(task("b")));
        p.tasks().get(0).stop();
        PipelineResult r = p.onExit().join();
        assertEquals(TaskState.STOPPED, r.state(), r.summary());
        assertTrue(r.failedStep().isEmpty());
        assertEquals("b SKIPPED (step 1 'a' was stopped)", r.steps().get(1).task().orElseThrow().summary());
    }

    @Test
    void aThrowingGroupOrStepListenerIsLoggedAtWarnAndHarmsNothingElse() {
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            List<TaskResult> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
            TaskGroup g = tasks.group("noisy").add(task("n1")).start();
            g.addListener(r -> {
                throw new IllegalStateException("boom from a group listener");
            }).addListener(heard::add);
            PipelineHandle p = tasks.run(Pipeline.named("noisy-pipe").step(task("p1")));
            List<StepResult> steps = new java.util.concurrent.CopyOnWriteArrayList<>();
            p.addStepListener(s -> {
                throw new IllegalStateException("boom from a step listener");
            }).addStepListener(steps::add);
            exit(0, 0);
            exit(1, 0);
            assertTrue(g.onExit().join().succeeded());
            assertTrue(p.onExit().join().succeeded());
            assertEquals(1, heard.size(), "the next listener still ran, before onExit() completed");
            patiently().until(() -> steps.size() == 1);
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(log.contains("WARN") && log.contains("of group noisy failed on task n1.1")
                && log.contains("boom from a group listener"), log);
        assertTrue(log.contains("of pipeline noisy-pipe failed on step p1") && log.contains("boom from a step listener"), log);
    }

    @Test
    void aClosedInstanceSkipsWhatIsStillQueued() {
        backend.exitOnTerminate(true);
        TaskGroup g = tasks.group("closing").maxParallel(1).add(task("a")).add(task("b")).start();
        PipelineHandle p = tasks.run(Pipeline.named("closing-pipe").step(task("c")).step(task("d")));
        tasks.close();
        assertEquals(List.of(TaskState.STOPPED, TaskState.SKIPPED),
                g.onExit().join().results().stream().map(TaskResult::state).toList());
        PipelineResult r = p.onExit().join();
        assertEquals(TaskState.STOPPED, r.state(), r.summary());
        assertEquals(TaskState.SKIPPED, r.steps().get(1).state());
        assertEquals(List.of("a", "c"), launchedNames());
    }

    @Test
    void aTaskWithARestartPolicyEndsItsPlaceInTheGroupWhenItsRestartingEnds() {
        FakeBackend restartable = new FakeBackend();
        FakeTicker time = new FakeTicker();
        FakeScheduler scheduler = new FakeScheduler(time);
        try (BackgroundTasks virtual = VirtualTime.builder(restartable, time, scheduler).logDirectory(dir.resolve("v")).build()) {
            TaskGroup g = virtual.group("flaky").maxParallel(1)
                    .add(TaskSpec.builder("true").name("flaky-test")
                            .restart(RestartPolicy.onFailure().maxRestarts(1).backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)))
                            .build())
                    .add(task("after")).start();
            restartable.launched().get(0).exit().complete(ExitStatus.exited(1));
            patiently().until(() -> scheduler.pending() == 1); // the backoff, not the next task of the group
            assertEquals(TaskState.QUEUED, g.tasks().get(1).state());
            scheduler.advance(Duration.ofSeconds(1));
            patiently().until(() -> restartable.launched().size() == 2);
            assertEquals("flaky-test", restartable.launched().get(1).launch().name(), "the restart comes first");
            restartable.launched().get(1).exit().complete(ExitStatus.exited(0));
            patiently().until(() -> restartable.launched().size() == 3);
            restartable.launched().get(2).exit().complete(ExitStatus.exited(0));
            GroupResult r = g.onExit().join();
            assertTrue(r.succeeded(), r.summary());
            assertEquals("flaky-test.2", r.results().get(0).id(), "the last run's result");
        }
    }

    @Test
    void tasksEndingOnManyThreadsAtOnceNeverBreakTheCap() throws Exception {
        ExecutorService enders = Executors.newFixedThreadPool(4);
        AtomicInteger live = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        // Each task ends at once, on another thread, racing the group's next start.
        FakeBackend racing = new FakeBackend() {
            @Override
            public BackendTask launch(Launch launch) throws IOException {
                most.accumulateAndGet(live.incrementAndGet(), Math::max);
                FakeTask t = (FakeTask) super.launch(launch);
                enders.execute(() -> {
                    live.decrementAndGet(); // before the engine can hear the end
                    t.exit().complete(ExitStatus.exited(0));
                });
                return t;
            }
        };
        try (BackgroundTasks busy = BackgroundTasks.builder().backend(racing).logDirectory(dir.resolve("busy")).build()) {
            for (int round = 0; round < 10; round++) {
                GroupSpec spec = busy.group("round-" + round).maxParallel(3);
                for (int i = 0; i < 30; i++) {
                    spec = spec.add(task("t" + i));
                }
                GroupResult r = spec.start().onExit().get(2, TimeUnit.MINUTES);
                assertTrue(r.succeeded(), r.summary());
            }
        } finally {
            enders.shutdownNow();
        }
        assertEquals(300, racing.launched().size());
        assertTrue(most.get() <= 3, "at most 3 at once, saw " + most.get());
    }

    @Test
    void badInputIsRejectedWithTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tasks.group("empty").start());
        assertEquals("group empty has no tasks; add at least one with add(TaskSpec)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GroupSpec.named("g").maxParallel(0));
        assertEquals("maxParallel of group g must be at least 1, was 0", e.getMessage());
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> GroupSpec.named("g").maxParallel(2).maxParallel(3));
        assertEquals("maxParallel of group g was already set to 2", twice.getMessage());
        TaskSpec a = task("a");
        e = assertThrows(IllegalArgumentException.class, () -> GroupSpec.named("g").add(a).add(a));
        assertTrue(e.getMessage().startsWith("this TaskSpec was already added to group g as task 1 (a)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GroupSpec.named("g").add(a).add(task("a")));
        assertEquals("group g already has a task named 'a' (task 1); give each task of a group its own name", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pipeline.named("p").step(task("s")).step(task("s")));
        assertEquals("pipeline p already has a step named 's' (step 1); give each step its own name", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pipeline.named("p").step(a).step(GroupSpec.named("g").add(a)));
        assertTrue(e.getMessage().contains("is already used by step 1 (a) of pipeline p"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pipeline.named("p").step(GroupSpec.named("g")));
        assertTrue(e.getMessage().startsWith("group g has no tasks"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> tasks.run(Pipeline.named("p")));
        assertEquals("pipeline p has no steps; add at least one with step(...)", e.getMessage());
        twice = assertThrows(IllegalStateException.class, () -> Pipeline.named("p").continueOnFailure());
        assertTrue(twice.getMessage().startsWith("pipeline p has no step to mark"), twice.getMessage());
        twice = assertThrows(IllegalStateException.class, () -> GroupSpec.named("g").add(task("x")).start());
        assertTrue(twice.getMessage().startsWith("group g belongs to no BackgroundTasks"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GroupSpec.named("bad name"));
        // Unnamed tasks are named after their program and position, so two of them may share a group.
        GroupSpec two = GroupSpec.named("g").add(TaskSpec.builder("true").build()).add(TaskSpec.builder("true").build());
        assertEquals(List.of("true-1", "true-2"), two.taskNames());
        assertFalse(two.failFast());
    }
}
