package io.github.bgtasks.junit5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.junit5.samples.BeforeEachFailsSample;
import io.github.bgtasks.junit5.samples.ClassScopeSample;
import io.github.bgtasks.junit5.samples.ExitsEarlySample;
import io.github.bgtasks.junit5.samples.HttpServerSample;
import io.github.bgtasks.junit5.samples.NotReadySample;
import io.github.bgtasks.junit5.samples.PerTestSample;
import io.github.bgtasks.testkit.ProcessMarkers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Runs sample test classes that use the extension with EngineTestKit and checks their events and
 * the whole process table: no process of a task outlives its class (or test), also when a test
 * fails, a task is not ready by its deadline, or a task exits before it is ready.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BackgroundTasksExtensionTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private final String marker = ProcessMarkers.marker();

    @AfterEach
    void killLeftovers() {
        ProcessMarkers.killAll(marker);
    }

    private static EngineExecutionResults run(Class<?> testClass) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute();
    }

    private static Throwable failure(Event event) {
        return event.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
    }

    private static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), () -> "expected \"" + expected + "\" in:\n" + text);
    }

    @Test
    void aStaticFieldRunsTheTasksOnceForTheClassAndStopsTheirTreesAfterItAlsoWhenATestFails() {
        ClassScopeSample.marker = marker;
        ClassScopeSample.PIDS.clear();

        EngineExecutionResults results = run(ClassScopeSample.class);

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        assertEquals(1, new HashSet<>(ClassScopeSample.PIDS).size(), "one task for both tests: " + ClassScopeSample.PIDS);
        ProcessMarkers.awaitGone(PATIENCE, marker);
        Throwable failed = failure(results.testEvents().failed().list().get(0));
        assertEquals("the test failed", failed.getMessage());
        String report = Arrays.stream(failed.getSuppressed()).map(Throwable::getMessage).findFirst().orElse("");
        assertContains(report, "task 'server' RUNNING");
        assertContains(report, "| first line");
        assertContains(report, "| serving on ");
        assertContains(report, ", log /");
    }

    @Test
    void anInstanceFieldRunsTheTasksForEachTestAndStopsThemAfterEach() {
        PerTestSample.marker = marker;
        PerTestSample.PIDS.clear();

        EngineExecutionResults results = run(PerTestSample.class);

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        assertEquals(2, new HashSet<>(PerTestSample.PIDS).size(), "a task per test: " + PerTestSample.PIDS);
        ProcessMarkers.awaitGone(PATIENCE, marker);
        String report = failure(results.testEvents().failed().list().get(0)).getSuppressed()[0].getMessage();
        assertContains(report, "task 'a'");
        assertContains(report, "| a is up");
        assertContains(report, "task 'b'");
    }

    @Test
    void aTaskNotReadyByItsDeadlineFailsTheClassWithItsLastLinesAndNothingIsLeft() {
        NotReadySample.marker = marker;
        NotReadySample.ran = false;

        EngineExecutionResults results = run(NotReadySample.class);

        assertFalse(NotReadySample.ran, "the test must not run");
        results.testEvents().assertStatistics(s -> s.started(0));
        Event failed = results.containerEvents().failed().list().get(0);
        String message = failure(failed).getMessage();
        assertContains(message, "task 'server' did not get ready, so the tests did not run");
        assertContains(message, "waiting for a licence");
        assertContains(message, "log: /");
        ProcessMarkers.awaitGone(PATIENCE, marker); // the database that was ready is stopped too
    }

    @Test
    void aTaskThatExitsBeforeItIsReadyFailsTheTestWithItsOutput() {
        EngineExecutionResults results = run(ExitsEarlySample.class);

        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        String message = failure(results.testEvents().failed().list().get(0)).getMessage();
        assertContains(message, "task 'app' did not get ready");
        assertContains(message, "no config file at /etc/app.conf");
    }

    @Test
    void aFreePortGoesToTheTaskItsReadinessAndTheTest(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("hello.txt"), "hello from a file\n");
        HttpServerSample.marker = marker;
        HttpServerSample.root = root;

        EngineExecutionResults results = run(HttpServerSample.class);

        results.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        ProcessMarkers.awaitGone(PATIENCE, marker);
    }

    @Test
    void aFailingBeforeEachMethodGetsTheReportToo() {
        BeforeEachFailsSample.marker = marker;

        EngineExecutionResults results = run(BeforeEachFailsSample.class);

        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        Throwable failed = failure(results.testEvents().failed().list().get(0));
        assertEquals("the fixture failed", failed.getMessage());
        assertContains(failed.getSuppressed()[0].getMessage(), "| queue listening");
        ProcessMarkers.awaitGone(PATIENCE, marker);
    }

    @Test
    void aTaskWithoutANameIsRejectedWithAFixAndNothingRuns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Run.start("owner", List.of(),
                List.of(ports -> TaskSpec.builder("sh", "-c", "exec sleep \"$0\"", marker).build()),
                () -> BackgroundTasks.builder().build()));
        assertContains(e.getMessage(), "task #1 [sh, -c, exec sleep \"$0\", " + marker + "] has no name");
        assertContains(e.getMessage(), "TaskSpec.Builder.name(..)");
        assertTrue(ProcessMarkers.withAnyArgument(marker).isEmpty());
    }

    @Test
    void portsAreFreeAndStablePerName() {
        FreePorts ports = new FreePorts();
        int http = ports.port("http");
        assertEquals(http, ports.port("http"));
        assertNotEquals(http, ports.port("admin"));
        assertEquals(List.of("admin", "http"), ports.picked().keySet().stream().sorted().toList());
        assertThrows(IllegalArgumentException.class, () -> ports.port(" "));
    }

    @Test
    void theBuilderSaysWhatIsMissing() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BackgroundTasksExtension.builder().build());
        assertContains(e.getMessage(), "needs at least one task");
        BackgroundTasksExtension ext = BackgroundTasksExtension.builder().task(TaskSpec.builder("true").build()).build();
        assertContains(assertThrows(IllegalStateException.class, () -> ext.handle("x")).getMessage(),
                "the background tasks are not running");
    }
}
