package io.github.bgtasks.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import io.github.bgtasks.testkit.ProcessMarkers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Jobs outlive the JVM's backend: a later one finds them, and Slurm's time limit holds while none watches. */
@ExtendWith(SlurmCluster.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SlurmAdoptionTest {
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    private BackgroundTasks tasks() {
        return BackgroundTasks.builder().backend(SlurmCluster.get().backend().stateDirectory(dir.resolve("state")).build())
                .logDirectory(dir.resolve("logs")).stopGracePeriod(Duration.ofMillis(500)).build();
    }

    @Test
    void aLaterInstanceFindsRunningAndEndedJobs() throws Exception {
        String marker = ProcessMarkers.marker();
        Path go = dir.resolve("go");
        Path away = dir.resolve("away");
        assertEquals(0, new ProcessBuilder("mkfifo", go.toString(), away.toString()).start().waitFor());
        try {
            try (BackgroundTasks first = tasks()) {
                first.start(TaskSpec.builder("sh", "-c", "read x < \"$1\"; echo \"got:$x\"", "sh", go.toString(), marker)
                        .name("left-running").build());
                first.start(TaskSpec.builder("sh", "-c", "read x < \"$1\"; exit 5", "sh", away.toString(), marker)
                        .name("ends-while-away").build());
                TaskHandle ended = first.start(TaskSpec.builder("sh", "-c", "exit 7").name("ended").build());
                assertEquals(7, ended.onExit().join().exitCode().getAsInt());
                ProcessMarkers.awaitRunning(PATIENCE, marker);
            } // jobs keep running on close: this backend keeps them
            Files.writeString(away, "bye\n"); // ends while no backend watches
            try (BackgroundTasks second = tasks()) {
                TaskHandle running = second.find("left-running").orElseThrow();
                TaskHandle awayTask = second.find("ends-while-away").orElseThrow();
                TaskHandle ended = second.find("ended").orElseThrow();
                assertEquals(7, ended.onExit().join().exitCode().getAsInt());
                assertEquals(5, awayTask.onExit().join().exitCode().getAsInt());
                assertEquals(TaskState.RUNNING, running.state());
                Files.writeString(go, "go\n");
                assertEquals(TaskState.SUCCEEDED, running.onExit().get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS).state());
                assertEquals(List.of("got:go"), running.tail(1));
                TaskHandle again = second.start(TaskSpec.builder("true").name("ended").build());
                assertEquals("ended.2", again.id());
                again.onExit().join();
            }
        } finally {
            ProcessMarkers.killAll(marker);
        }
    }

    @Test
    void theTimeoutHoldsAsTheJobsTimeLimitWhileNoJvmWatches() throws Exception {
        // Straight through the SPI, so that no core stops the task on time: only Slurm's limit
        // (1 minute, its smallest; slurmctld checks limits every 30 s) can end it.
        String marker = ProcessMarkers.marker();
        Path log = Files.createFile(dir.resolve("limit.log"));
        try (SlurmBackend b = SlurmCluster.get().backend().stateDirectory(dir.resolve("state")).build()) {
            SlurmJob job = (SlurmJob) b.launch(Launch.builder("limit.1", "limit", List.of("sleep", marker))
                    .workingDirectory(dir).environment(Map.of("PATH", "/usr/bin:/bin")).logFile(log)
                    .startedAt(Instant.now()).timeout(Duration.ofMillis(100)).stopGracePeriod(Duration.ofMillis(100))
                    .build());
            ExitStatus s = job.exit().get(4, TimeUnit.MINUTES);
            assertTrue(s.timedOut(), s.toString());
            assertTrue(s.signal().isPresent(), s.toString());
            ProcessMarkers.awaitGone(PATIENCE, marker);
        } finally {
            ProcessMarkers.killAll(marker);
        }
    }
}
