package io.github.bgtasks.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.bgtasks.testkit.ProcessMarkers;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Builds whose tasks do not get ready: they fail (fail closed) with the task's last lines and stop what they started. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FailingStartIT {
    private final String marker = ProcessMarkers.marker();

    @AfterEach
    void killLeftovers() {
        ProcessMarkers.killAll(marker);
    }

    @Test
    void aTaskThatEndsBeforeItIsReadyFailsTheBuildAtOnceAndTheOtherTaskIsStopped() throws Exception {
        // the readiness timeout is 10 minutes: the build ends because the task ended, not because time passed
        MavenBuild.Result r = MavenBuild.of("exits-early").run("-Dmarker=" + marker, "validate");

        assertEquals(1, r.exit(), r.output());
        r.assertContains("BUILD FAILURE");
        r.assertContains("ended (second FAILED (exit 1)");
        r.assertContains("error: port 8080 is in use");
        r.assertContains("bgtasks: task 'second' FAILED, log ");
        r.assertContains("bgtasks: stopping the tasks this execution started");
        r.assertContains("bgtasks: stopped task 'first': first STOPPED"); // rolled back before the JVM ended
        ProcessMarkers.awaitGone(Duration.ofSeconds(30), marker);
    }

    @Test
    void aTaskNotReadyByTheReadinessTimeoutFailsTheBuildWithItsLastLines() throws Exception {
        MavenBuild.Result r = MavenBuild.of("deadline").run("-Dmarker=" + marker, "validate");

        assertEquals(1, r.exit(), r.output());
        r.assertContains("BUILD FAILURE");
        r.assertContains("was not ready within");
        r.assertContains("still warming up");
        r.assertContains("bgtasks: stopped task 'slow': slow STOPPED");
        ProcessMarkers.awaitGone(Duration.ofSeconds(30), marker);
    }
}
