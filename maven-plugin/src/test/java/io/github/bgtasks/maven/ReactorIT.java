package io.github.bgtasks.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.testkit.ProcessMarkers;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A two-module build: {@code start-here} starts an HTTP server on a free port (ready by port
 * and HTTP status) and a worker (ready by log line); {@code stop-here} uses the port property
 * and stops both.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReactorIT {
    private final String marker = ProcessMarkers.marker();

    @AfterEach
    void killLeftovers() {
        ProcessMarkers.killAll(marker);
    }

    @Test
    void tasksStartedInOneModuleAreStoppedFromAnotherAndThePortReachesIt() throws Exception {
        MavenBuild.Result r = MavenBuild.of("reactor").run("-Dmarker=" + marker, "validate");

        assertEquals(0, r.exit(), r.output());
        Matcher port = Pattern.compile("bgtasks: port web.port = (\\d+)").matcher(r.output());
        assertTrue(port.find(), r.output());
        r.assertContains("bgtasks: 2 task(s) ready: [web, worker]");
        assertEquals("the server listens on port " + port.group(1) + "\n", // ${web.port} in the other module
                Files.readString(r.dir().resolve("stop-here/target/bgtasks/client.1.log")));
        String stopHere = r.output().substring(r.output().indexOf("Building stop-here"));
        assertTrue(stopHere.contains("bgtasks: stopped task 'web': web STOPPED"), r.output());
        assertTrue(stopHere.contains("bgtasks: stopped task 'worker': worker STOPPED"), r.output());
        ProcessMarkers.awaitGone(Duration.ofSeconds(30), marker);
    }

    @Test
    void skipSkipsBothGoals() throws Exception {
        MavenBuild.Result r = MavenBuild.of("reactor").run("-Dmarker=" + marker, "-Dbgtasks.skip=true", "validate");

        assertEquals(0, r.exit(), r.output());
        r.assertContains("bgtasks: start skipped (bgtasks.skip)");
        r.assertContains("bgtasks: stop skipped (bgtasks.skip)");
        assertTrue(ProcessMarkers.withAnyArgument(marker).isEmpty());
    }
}
