package io.github.bgtasks.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.testkit.ProcessMarkers;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A build killed with SIGKILL while its tasks run (no stop goal, no shutdown hook): the process
 * backend's helper stops every process of every task. And one interrupted with SIGINT (Ctrl-C). (Stopping them from the next build's
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
            awaitBothTasks(build, marker);

            mvn.destroyForcibly(); // SIGKILL to the build's JVM (the mvn script execs java)
            assertTrue(mvn.waitFor(1, TimeUnit.MINUTES));
            assertEquals(137, mvn.exitValue());

            ProcessMarkers.awaitGone(Duration.ofSeconds(30), marker);
        } finally {
            mvn.destroyForcibly();
            ProcessMarkers.killAll(marker);
        }
    }

    /** Ctrl-C: the JVM's shutdown hook stops the tasks (SIGTERM, then SIGKILL after the grace period). */
    @Test
    void theTasksOfAnInterruptedBuildAreStopped() throws Exception {
        String marker = ProcessMarkers.marker();
        MavenBuild build = MavenBuild.of("killed");
        Process mvn = build.start("-Dmarker=" + marker, "validate");
        try {
            awaitBothTasks(build, marker);

            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(mvn.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor());
            assertTrue(mvn.waitFor(1, TimeUnit.MINUTES));

            ProcessMarkers.awaitGone(Duration.ofSeconds(30), marker);
        } finally {
            mvn.destroyForcibly();
            ProcessMarkers.killAll(marker);
        }
    }

    /** Waits until both tasks run, each a shell and its sleep: one ready, one waited for. */
    private static void awaitBothTasks(MavenBuild build, String marker) {
        ProcessMarkers.awaitRunning(Duration.ofMinutes(2), marker);
        Awaitility.await().atMost(Duration.ofMinutes(2))
                .until(() -> build.output().contains("started task 'never-ready'")
                        && ProcessMarkers.withAnyArgument(marker).size() == 4);
        assertTrue(build.output().contains("bgtasks: 1 task(s) ready: [server]"), build.output());
    }
}
