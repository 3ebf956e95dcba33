package io.github.bgtasks.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.testkit.ProcessMarkers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tasks kept after the build ({@code keepAfterBuild}): one {@code mvn} run starts them and ends,
 * they run on, and a later {@code mvn bgtasks:stop} finds them on disk and stops them.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KeptTasksIT {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private final String marker = ProcessMarkers.marker();

    @AfterEach
    void killLeftovers() {
        ProcessMarkers.killAll(marker);
    }

    @Test
    void aLaterBuildStopsTheTasksThatAnEarlierOneKept() throws Exception {
        MavenBuild build = MavenBuild.of("kept");

        MavenBuild.Result started = build.run("-Dmarker=" + marker, "validate");
        assertEquals(0, started.exit(), started.output());
        started.assertContains("bgtasks: 1 task(s) ready: [server]");
        started.assertContains("the tasks run on after the build until a stop (id 'default')");
        Path state = build.stateHome().resolve("bgtasks/maven");
        Matcher recorded = Pattern.compile("recorded in (" + Pattern.quote(state.toString()) + "/kept-[0-9a-f]{12}/default)\n")
                .matcher(started.output());
        assertTrue(recorded.find(), started.output());
        assertEquals("state in " + recorded.group(1) + "\n", // the property for tests that attach
                Files.readString(started.dir().resolve("target/bgtasks/client.1.log")));
        // the build's JVM has gone; the shell and its sleep run on
        assertEquals(2, ProcessMarkers.withAnyArgument(marker).size(),
                () -> ProcessMarkers.describe(ProcessMarkers.withAnyArgument(marker)));

        MavenBuild.Result stopped = build.run("bgtasks:stop");
        assertEquals(0, stopped.exit(), stopped.output());
        stopped.assertContains("bgtasks: stopping task 'server' (pid ");
        stopped.assertContains("bgtasks: stopped task 'server': server STOPPED");
        ProcessMarkers.awaitGone(PATIENCE, marker);

        MavenBuild.Result again = build.run("bgtasks:stop");
        assertEquals(0, again.exit(), again.output());
        again.assertContains("no tasks of id 'default' were started in this build or kept by an earlier one");
    }

    /** Fail-safe: the state is per project (and execution), so one project's start never stops another's tasks. */
    @Test
    void aStartStopsOnlyWhatItsOwnProjectKept() throws Exception {
        String other = ProcessMarkers.marker();
        MavenBuild one = MavenBuild.of("kept");
        // the same project in another directory, with the same state home
        MavenBuild two = MavenBuild.of("kept").sharingStateWith(one);
        try {
            MavenBuild.Result first = one.run("-Dmarker=" + marker, "validate");
            assertEquals(0, first.exit(), first.output());
            MavenBuild.Result second = two.run("-Dmarker=" + other, "validate");
            assertEquals(0, second.exit(), second.output());
            assertTrue(!second.output().contains("left by an earlier build"), second.output());
            assertEquals(2, ProcessMarkers.withAnyArgument(marker).size());
            assertEquals(2, ProcessMarkers.withAnyArgument(other).size());
        } finally {
            ProcessMarkers.killAll(other);
        }
    }
}
