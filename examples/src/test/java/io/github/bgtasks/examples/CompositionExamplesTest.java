package io.github.bgtasks.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.GroupResult;
import io.github.bgtasks.PipelineResult;
import io.github.bgtasks.StepResult;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.process.ProcessBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The fast variants of the parallel-builds and pipeline examples, and what they print. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CompositionExamplesTest {
    @TempDir
    Path dir;
    BackgroundTasks tasks;
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @BeforeEach
    void build() {
        tasks = BackgroundTasks.builder().backend(ProcessBackend.create()).logDirectory(dir).build();
    }

    @AfterEach
    void close() {
        tasks.close();
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void parallelBuildsReportEachTaskAndTheWhole() {
        GroupResult r = ParallelBuilds.run(tasks, out, true);
        String text = printed();
        assertEquals(TaskState.FAILED, r.state(), text);
        assertTrue(text.contains("[ok]   node18-tests SUCCEEDED (exit 0)"), text);
        assertTrue(text.contains("[FAIL] lint FAILED (exit 2)"), text);
        assertTrue(text.contains("checks FAILED in "), text);
        assertTrue(text.contains(": 3 SUCCEEDED, 1 FAILED\n"), text);
        // the board, one plain line per change here (whether it caught docs queued depends on timing)
        assertTrue(text.lines().anyMatch(l -> l.startsWith("[") && l.contains(" lint ") && l.contains("FAILED (exit 2)")), text);
    }

    @Test
    void theDeployPipelineStopsAtTheFailingStepAndAlerts() {
        PipelineResult r = DeployPipeline.run(tasks, out, true);
        String text = printed();
        assertEquals(List.of(TaskState.SUCCEEDED, TaskState.FAILED, TaskState.SUCCEEDED, TaskState.FAILED,
                TaskState.SKIPPED, TaskState.SKIPPED, TaskState.SKIPPED), r.steps().stream().map(StepResult::state).toList(), text);
        assertTrue(text.contains("deploy FAILED at step 4 (integration) in "), text);
        assertTrue(text.contains("step 2 lint FAILED (exit 1) in "), text);
        assertTrue(text.contains(" (allowed to fail)\n"), text);
        assertTrue(text.contains("step 5 build SKIPPED (step 4 'integration' failed)"), text);
        assertTrue(text.contains("ALERT pipeline deploy stopped at step 4 of 7, 'integration': integration FAILED (exit 1)"), text);
        assertTrue(text.contains("  | ERROR: POST /orders returned 500 (expected 201)"), text);
    }
}
