package io.github.bgtasks.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import io.github.bgtasks.health.Alert;
import io.github.bgtasks.spi.Backend;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parallel groups and pipelines on a real backend: extend this class in a backend's tests and
 * implement {@link #newBackend()}. The tasks are POSIX {@code sh} scripts; those that must wait
 * block on a FIFO that the test writes to, or on a marked {@code sleep} (see
 * {@link ProcessMarkers#marker()}), so no outcome depends on the machine's speed, and the checks
 * of the process table see only this test's processes.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class CompositionContract {
    /** How long a stop waits before SIGKILL in these tests. */
    protected static final Duration GRACE = Duration.ofMillis(500);
    /** How long a wait may take before the test is taken to hang; a busy machine never comes close. */
    protected static final Duration PATIENCE = Duration.ofMinutes(2);

    /** A fresh directory per test; the instance's logs go to {@code dir/logs}. */
    @TempDir
    protected Path dir;
    /** The instance under test, built on {@link #newBackend()} before each test and closed after it. */
    protected BackgroundTasks tasks;
    private final List<Alert> alerts = new CopyOnWriteArrayList<>();
    private final List<String> markers = new ArrayList<>();

    /** For subclasses. */
    protected CompositionContract() {
    }

    /**
     * Creates the backend under test; called before each test. The test directory {@link #dir} is set.
     *
     * @return a new backend of the kind under test
     */
    protected abstract Backend newBackend();

    @BeforeEach
    void createInstance() {
        tasks = BackgroundTasks.builder()
                .backend(newBackend())
                .logDirectory(dir.resolve("logs"))
                .stopGracePeriod(GRACE)
                .stopTasksOnClose(true)
                .alertListener(alerts::add)
                .build();
    }

    @AfterEach
    void closeInstance() {
        try {
            tasks.close();
        } finally {
            ProcessMarkers.killAll(markers.toArray(String[]::new));
        }
    }

    private String marker() {
        String m = ProcessMarkers.marker();
        markers.add(m);
        return m;
    }

    /** A step that records that it ran, in {@code dir/ran/<name>}. */
    private TaskSpec records(String name) {
        return TaskSpec.builder("sh", "-c", "echo \"step $1 ran\"; touch \"$2/$1\"", "sh", name, ran().toString())
                .name(name).build();
    }

    private Path ran() {
        Path ran = dir.resolve("ran");
        try {
            Files.createDirectories(ran);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ran;
    }

    @Test
    void aFailingStepEndsThePipelineSkipsTheRestAndAlerts() {
        CompletableFuture<Alert> alert = new CompletableFuture<>();
        Pipeline deploy = Pipeline.named("deploy")
                .step(records("install"))
                .step(records("lint"))
                .step(records("compile"))
                .step(TaskSpec.builder("sh", "-c", "echo 'running 12 tests'; echo 'ERROR: test_login failed: expected 200, got 500'; "
                        + "echo '1 of 12 failed'; exit 3").name("unit").build())
                .step(records("package"))
                .step(records("deploy-staging"))
                .step(records("smoke"));
        PipelineHandle run = tasks.run(deploy).addAlertListener(alert::complete);
        PipelineResult r = run.onExit().orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();

        assertEquals(TaskState.FAILED, r.state(), r.summary());
        assertFalse(r.succeeded());
        List<TaskState> states = r.steps().stream().map(StepResult::state).toList();
        assertEquals(List.of(TaskState.SUCCEEDED, TaskState.SUCCEEDED, TaskState.SUCCEEDED, TaskState.FAILED,
                TaskState.SKIPPED, TaskState.SKIPPED, TaskState.SKIPPED), states, r.summary());
        assertEquals("unit", r.failedStep().orElseThrow().name());
        assertEquals(3, r.steps().get(3).task().orElseThrow().exitCode().getAsInt());
        for (String later : List.of("package", "deploy-staging", "smoke")) {
            assertFalse(Files.exists(ran().resolve(later)), later + " must not have run");
            TaskHandle h = tasks.find(later).orElseThrow();
            assertEquals(TaskState.SKIPPED, h.state(), later);
            assertTrue(h.pid().isEmpty(), later + " never had a process");
        }
        assertEquals(3, tasks.list().stream().filter(t -> t.state() == TaskState.SKIPPED).count(), tasks.list().toString());

        Alert a = alert.orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();
        assertEquals(Alert.Kind.STEP_FAILED, a.kind());
        assertEquals("deploy", a.check());
        assertTrue(a.message().contains("step 4 of 7, 'unit'"), a.message());
        assertTrue(a.message().contains("skipped: package, deploy-staging, smoke"), a.message());
        Path log = r.steps().get(3).task().orElseThrow().logFile();
        assertTrue(a.message().contains(log.toString()), a.message());
        assertTrue(a.evidence().contains("exit code 3"), a.evidence().toString());
        assertTrue(a.logLines().contains("ERROR: test_login failed: expected 200, got 500"), a.logLines().toString());
        assertTrue(a.logLines().contains("running 12 tests"), "context before the error line: " + a.logLines());
        // The instance's listeners hear it too, besides the task's own FAILED alert.
        Waits.until(PATIENCE, "the instance's STEP_FAILED alert", () -> alerts.stream()
                .anyMatch(x -> x.kind() == Alert.Kind.STEP_FAILED), alerts::toString);
    }

    @Test
    void theAlertOfAFailedStepCarriesAHintWhereOneIsKnown() {
        CompletableFuture<Alert> alert = new CompletableFuture<>();
        PipelineResult r = tasks.run(Pipeline.named("tooling")
                        .step(records("checkout"))
                        .step(TaskSpec.shell("no-such-tool-8d1f --version").name("tool").build())
                        .step(records("use-it")))
                .addAlertListener(alert::complete)
                .onExit().orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();
        assertEquals("tool", r.failedStep().orElseThrow().name(), r.summary());
        Alert a = alert.orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();
        assertTrue(a.evidence().contains("exit code 127"), a.evidence().toString());
        assertTrue(a.hint().orElse("").startsWith("exit 127: command not found"), a.toString());
        assertTrue(a.logLines().stream().anyMatch(l -> l.contains("no-such-tool-8d1f")), a.logLines().toString());
    }

    @Test
    void aGroupWithACapOfTwoNeverRunsMoreThanTwo() throws IOException {
        Path running = Files.createDirectories(dir.resolve("running"));
        Path counts = Files.createDirectories(dir.resolve("counts"));
        Path gate = dir.resolve("gate");
        mkfifo(gate);
        // On start, each task marks itself running and writes how many marks it sees; then it
        // waits for a line from the gate, unmarks itself and ends.
        String script = "touch \"$1/running/$2\"; ls \"$1/running\" | wc -l > \"$1/counts/$2\"; "
                + "read line < \"$1/gate\"; rm \"$1/running/$2\"";
        GroupSpec spec = tasks.group("capped").maxParallel(2);
        for (int i = 1; i <= 6; i++) {
            spec = spec.add(TaskSpec.builder("sh", "-c", script, "sh", dir.toString(), "t" + i).name("capped-" + i).build());
        }
        List<TaskResult> heard = new CopyOnWriteArrayList<>();
        TaskGroup group = spec.start().addListener(heard::add);
        // The first two wait at the gate: the other four wait in the queue.
        List<TaskHandle> members = group.tasks();
        for (int i = 2; i < 6; i++) {
            assertEquals(TaskState.QUEUED, members.get(i).state(), members.get(i).toString());
            assertTrue(members.get(i).pid().isEmpty());
        }
        assertEquals(TaskState.QUEUED, tasks.find("capped-6").orElseThrow().state());
        assertEquals(4, tasks.list().stream().filter(t -> t.state() == TaskState.QUEUED).count(), tasks.list().toString());

        // Both counted before either may go on: on tmux a task's command runs a moment after its start.
        Waits.until(PATIENCE, "the first two tasks at the gate", () -> counted(counts, "t1") && counted(counts, "t2"),
                () -> tasks.list().toString());
        assertEquals(2, Math.max(count(counts, "t1"), count(counts, "t2")),
                "the second task starts while the first waits at the gate: the last to count sees both");
        GroupResult r;
        try (OutputStream open = Files.newOutputStream(gate)) { // open until the end: late readers find a writer
            open.write("go\ngo\ngo\ngo\ngo\ngo\n".getBytes(StandardCharsets.US_ASCII));
            open.flush();
            r = group.onExit().orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();
        }
        assertTrue(r.succeeded(), r.summary());
        assertEquals(6, r.results().size());
        assertEquals(6, heard.size(), "a listener hears each task: " + heard);
        List<Integer> seen = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            seen.add(count(counts, "t" + i));
        }
        assertTrue(seen.stream().allMatch(n -> n >= 1 && n <= 2), "at most 2 ran at once; each task saw " + seen);
        try (var left = Files.list(running)) {
            assertEquals(0, left.count());
        }
    }

    private static boolean counted(Path counts, String task) {
        try {
            return Files.size(counts.resolve(task)) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static int count(Path counts, String task) {
        try {
            return Integer.parseInt(Files.readString(counts.resolve(task)).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void mkfifo(Path fifo) throws IOException {
        try {
            Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
            assertEquals(0, p.waitFor(), "mkfifo " + fifo);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Test
    void failFastLeavesNothingRunning() throws IOException {
        String a = marker();
        String b = marker();
        String d = marker();
        Path gate = dir.resolve("gate");
        mkfifo(gate);
        TaskGroup group = tasks.group("fast").maxParallel(3).failFast(true)
                .add(TaskSpec.builder("sleep", a).name("slow-a").build())
                .add(TaskSpec.shell("sleep " + b + " & wait").name("slow-b").build())
                .add(TaskSpec.builder("sh", "-c", "read line < \"$1\"; echo 'error: broken'; exit 4", "sh", gate.toString())
                        .name("broken").build())
                .add(TaskSpec.builder("sleep", d).name("never").build())
                .start();
        ProcessMarkers.awaitRunning(PATIENCE, a, b);
        assertEquals(TaskState.QUEUED, group.tasks().get(3).state());
        try (OutputStream open = Files.newOutputStream(gate)) { // "broken" fails once the others run
            open.write("go\n".getBytes(StandardCharsets.US_ASCII));
        }
        GroupResult r = group.onExit().orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();

        assertEquals(TaskState.FAILED, r.state(), r.summary());
        assertEquals(List.of(TaskState.STOPPED, TaskState.STOPPED, TaskState.FAILED, TaskState.SKIPPED),
                r.results().stream().map(TaskResult::state).toList(), r.summary());
        assertEquals(4, r.results().get(2).exitCode().getAsInt());
        ProcessMarkers.awaitGone(PATIENCE, a, b);
        assertTrue(ProcessMarkers.withAnyArgument(d).isEmpty(), "the queued task never started");
        assertTrue(tasks.list().stream().noneMatch(t -> !t.state().isTerminal()), tasks.list().toString());
    }

    @Test
    void stoppingAGroupStopsRunningAndSkipsQueuedTasks() {
        String a = marker();
        String b = marker();
        TaskGroup group = tasks.group("stoppable").maxParallel(1)
                .add(TaskSpec.builder("sleep", a).name("first").build())
                .add(TaskSpec.builder("sleep", b).name("second").build())
                .start();
        ProcessMarkers.awaitRunning(PATIENCE, a);
        GroupResult r = group.stop().orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();
        assertEquals(TaskState.STOPPED, r.state(), r.summary());
        assertEquals(List.of(TaskState.STOPPED, TaskState.SKIPPED), r.results().stream().map(TaskResult::state).toList());
        ProcessMarkers.awaitGone(PATIENCE, a);
        assertTrue(ProcessMarkers.withAnyArgument(b).isEmpty(), "the queued task never started");
    }

    @Test
    void aStepMarkedContinueOnFailureDoesNotEndThePipeline() {
        PipelineResult r = tasks.run(Pipeline.named("lenient")
                        .step(TaskSpec.builder("sh", "-c", "echo 'warning: style'; exit 1").name("lint").build())
                        .continueOnFailure()
                        .step(GroupSpec.named("build").add(records("build-a")).add(records("build-b")))
                        .step(records("publish")))
                .onExit().orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();
        assertTrue(r.succeeded(), r.summary());
        assertEquals(List.of(TaskState.FAILED, TaskState.SUCCEEDED, TaskState.SUCCEEDED),
                r.steps().stream().map(StepResult::state).toList());
        assertTrue(r.failedStep().isEmpty());
        assertEquals(2, r.steps().get(1).group().orElseThrow().results().size());
        assertTrue(Files.exists(ran().resolve("publish")));
    }

    @Test
    void stoppingAPipelineMidStepStopsItAndSkipsTheRest() {
        String step2 = marker();
        List<StepResult> heard = new CopyOnWriteArrayList<>();
        PipelineHandle run = tasks.run(Pipeline.named("long")
                        .step(records("prepare"))
                        .step(TaskSpec.shell("sleep " + step2 + " & wait").name("wait").build())
                        .step(records("after")))
                .addStepListener(heard::add);
        ProcessMarkers.awaitRunning(PATIENCE, step2);
        PipelineResult r = run.stop().orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();
        assertEquals(TaskState.STOPPED, r.state(), r.summary());
        assertEquals(List.of(TaskState.SUCCEEDED, TaskState.STOPPED, TaskState.SKIPPED),
                r.steps().stream().map(StepResult::state).toList(), r.summary());
        Waits.until(PATIENCE, "each step heard, the skipped one too", () -> heard.size() == 3, heard::toString);
        assertEquals("3 after SKIPPED (pipeline long was stopped)", r.steps().get(2).summary());
        ProcessMarkers.awaitGone(PATIENCE, step2);
        assertFalse(Files.exists(ran().resolve("after")));
        assertTrue(alerts.stream().noneMatch(x -> x.kind() == Alert.Kind.STEP_FAILED), "a stop is no failure: " + alerts);
    }
}
