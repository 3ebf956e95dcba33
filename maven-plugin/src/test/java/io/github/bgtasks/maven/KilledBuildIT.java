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
 * backend's helper stops every process of every task. And one interrupted with SIGINT (Ctrl-C).
 * With {@code keepAfterBuild} the tasks of a killed build run on, and the next build's
 * {@code start} of each execution stops them first.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
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

    @Test
    void theNextStartStopsWhatAKilledBuildKept() throws Exception {
        String killed = ProcessMarkers.marker();
        String kept = ProcessMarkers.marker();
        String tied = ProcessMarkers.marker();
        MavenBuild build = MavenBuild.of("killed");
        Process mvn = build.start("-Dmarker=" + killed, "-Dbgtasks.keepAfterBuild=true", "validate");
        try {
            awaitBothTasks(build, killed);
            mvn.destroyForcibly();
            assertTrue(mvn.waitFor(1, TimeUnit.MINUTES));
            assertEquals(137, mvn.exitValue());
            assertEquals(4, ProcessMarkers.withAnyArgument(killed).size(), "kept after the build, so still running");

            // the next build of the same project, also keeping its tasks: each start stops its leftovers first
            MavenBuild.Result next = build.run("-Dmarker=" + kept, "-Dbgtasks.keepAfterBuild=true",
                    "-DhangsReady=waiting", "validate");
            assertEquals(0, next.exit(), next.output());
            next.assertContains("bgtasks: stopping task 'server' (pid ");
            next.assertContains("bgtasks: stopping task 'never-ready' (pid ");
            next.assertContains("left by an earlier build (execution 'hangs')");
            next.assertContains("bgtasks: stopped task 'never-ready': never-ready STOPPED");
            assertTrue(next.output().indexOf("stopped task 'server'") < next.output().indexOf("started task 'server'"),
                    next.output());
            ProcessMarkers.awaitGone(Duration.ofSeconds(30), killed);
            assertEquals(4, ProcessMarkers.withAnyArgument(kept).size(), "the new tasks are kept after the build");

            // a build that does not keep its tasks stops the leftovers too, and its own tasks end with it
            MavenBuild.Result last = build.run("-Dmarker=" + tied, "-DhangsReady=waiting", "validate");
            assertEquals(0, last.exit(), last.output());
            last.assertContains("bgtasks: stopped 1 task(s) that an earlier build left running");
            ProcessMarkers.awaitGone(Duration.ofSeconds(30), kept, tied);
        } finally {
            mvn.destroyForcibly();
            ProcessMarkers.killAll(killed, kept, tied);
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
