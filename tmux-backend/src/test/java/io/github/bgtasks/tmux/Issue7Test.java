package io.github.bgtasks.tmux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7: the wrapper's timeout was the launch's timeout minus the time between
 * {@code Launch.startedAt()} (the core's clock, which may be injected) and this machine's
 * {@code Instant.now()}. A clock a day ahead made the watchdog sleep a day longer; a clock a day
 * behind made it fire at once (see {@code WrapperTest} for that side).
 */
class Issue7Test {
    private static final String MARKER = Fixtures.marker();

    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();

    @TempDir
    Path tmp;

    @Test
    void theWrappersTimeoutIsTheLaunchsWhateverTheCoresClockSays() throws Exception {
        // Driven directly on the backend: no core timer exists, only the wrapper's own watchdog.
        // The start instant is what a BackgroundTasks built with a clock a day ahead gives.
        Instant aDayAhead = Instant.now().plus(Duration.ofDays(1));
        try (TmuxBackend backend = SERVER.backend()) {
            BackendTask t = backend.launch(Fixtures.launch(tmp, "clock-ahead", aDayAhead, Duration.ofMillis(500),
                    Duration.ofSeconds(5), "sleep", MARKER));
            // With the old code this waited a day (here: until the test's patience ran out).
            assertEquals(ExitStatus.signaled(15).asTimedOut(), Fixtures.await(t.exit()));
            assertTrue(Fixtures.withMarker(MARKER).isEmpty());
            t.release();
        }
    }
}
