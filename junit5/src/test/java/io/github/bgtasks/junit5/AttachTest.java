package io.github.bgtasks.junit5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.junit5.samples.AttachSample;
import io.github.bgtasks.process.ProcessBackend;
import io.github.bgtasks.testkit.ProcessMarkers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * {@link BackgroundTasksExtension.Builder#attach(String)}: a test class uses a task that another
 * JVM's instance started detached (here: this test's own instance, closed before), gets its
 * handle, and leaves it running; a missing or ended task fails the class with what it found.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AttachTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private final String marker = ProcessMarkers.marker();

    @TempDir
    Path dir;

    @AfterEach
    void killLeftovers() {
        ProcessMarkers.killAll(marker);
    }

    private static EngineExecutionResults run(Class<?> testClass) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute();
    }

    private static String classFailure(EngineExecutionResults results) {
        Throwable t = results.containerEvents().failed().list().get(0).getPayload(TestExecutionResult.class)
                .orElseThrow().getThrowable().orElseThrow();
        return t.getMessage();
    }

    @Test
    void aTestClassAttachesToARunningDetachedTaskAndLeavesItRunning() throws Exception {
        Path state = dir.resolve("state");
        long pid;
        try (BackgroundTasks starter = BackgroundTasks.builder().backend(ProcessBackend.detached(state))
                .logDirectory(dir.resolve("logs")).build()) {
            TaskHandle web = starter.start(TaskSpec.builder("sh", "-c", "echo 'web up'; sleep \"$0\" & wait", marker)
                    .name("web").readiness(Readiness.logLine(Pattern.compile("web up")), Duration.ofMinutes(1)).build());
            web.onReady().get();
            pid = web.pid().orElseThrow();
        } // closing leaves a detached task running, as a build that keeps its tasks does
        AttachSample.stateDirectory = state;
        AttachSample.SEEN.clear();

        EngineExecutionResults results = run(AttachSample.class);

        results.testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        assertEquals(List.of(pid + " web up " + dir.resolve("logs").resolve("web.1.log")), AttachSample.SEEN);
        assertEquals(2, ProcessMarkers.withAnyArgument(marker).size(), "the attached task runs on (shell and sleep)");

        // the task ends: the next class that attaches to it fails, saying so
        try (BackgroundTasks later = BackgroundTasks.builder().backend(ProcessBackend.detached(state))
                .logDirectory(dir.resolve("logs")).build()) {
            later.find("web").orElseThrow().stop().get();
        }
        ProcessMarkers.awaitGone(PATIENCE, marker);
        AttachSample.SEEN.clear();

        EngineExecutionResults ended = run(AttachSample.class);

        ended.testEvents().assertStatistics(s -> s.started(0));
        String message = classFailure(ended);
        // a later instance reads the end from the record: killed by SIGTERM (FAILED), not who stopped it
        assertTrue(Pattern.compile("task 'web' to attach to is not running but (STOPPED|FAILED), so the tests did not "
                + "run; log ").matcher(message).find(), message);
        assertTrue(message.contains("| web up"), message);
        assertTrue(AttachSample.SEEN.isEmpty());
    }

    @Test
    void aMissingTaskFailsTheClassWithWhatTheInstanceSees() {
        AttachSample.stateDirectory = dir.resolve("empty");
        AttachSample.SEEN.clear();

        EngineExecutionResults results = run(AttachSample.class);

        results.testEvents().assertStatistics(s -> s.started(0));
        String message = classFailure(results);
        assertTrue(message.startsWith("there is no task 'web' to attach to, so the tests did not run: BackgroundTasks{"
                + "process backend"), message);
        assertTrue(message.contains("sees []. Start it first"), message);
    }

    @Test
    void attachingNeedsAnInstanceThatSeesOtherJvmsTasks() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BackgroundTasksExtension.builder().attach("web").build());
        assertTrue(e.getMessage().startsWith("attach([web]) needs backgroundTasks(..)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BackgroundTasksExtension.builder().attach(" "));
    }
}
