package io.github.bgtasks.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.testkit.ProcessMarkers;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A build killed with SIGKILL while its tasks run (no stop goal, no shutdown hook): the process
 * backend's helper stops every process of every task. (Stopping them from the next build's
 * {@code start} needs on-disk task state, issue 11.)
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KilledBuildIT {

    @Test
    void theTasksOfAKilledBuildAreStopped() throws Exception {
        String marker = ProcessMarkers.marker();
        MavenBuild build = MavenBuild.of("killed");
        Process mvn = build.start("-Dmarker=" + marker, "validate");
        try {
            // two tasks, each a shell and its sleep: one ready, one waited for
            ProcessMarkers.awaitRunning(Duration.ofMinutes(2), marker);
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(2))
                    .until(() -> build.output().contains("started task 'never-ready'")
                            && ProcessMarkers.withAnyArgument(marker).size() == 4);
            assertTrue(build.output().contains("bgtasks: 1 task(s) ready: [server]"), build.output());

            mvn.destroyForcibly(); // SIGKILL to the build's JVM (the mvn script execs java)
            assertTrue(mvn.waitFor(1, TimeUnit.MINUTES));
            assertEquals(137, mvn.exitValue());

            ProcessMarkers.awaitGone(Duration.ofSeconds(30), marker);
        } finally {
            mvn.destroyForcibly();
            ProcessMarkers.killAll(marker);
        }
    }
}
