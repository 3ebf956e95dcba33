package io.github.bgtasks.tmux.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.spi.Launch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The wrapper script as written, without running it. */
class WrapperTest {
    private static final Tools TOOLS = new Tools("/usr/bin/env", "/bin/mv", "/bin/sleep", "/usr/bin/mkfifo", null,
            false, null, Duration.ofMinutes(1));

    @TempDir
    Path tmp;

    /**
     * Issue 7: the watchdog slept the timeout minus the time since {@code startedAt}, measured
     * against {@code Instant.now()}; a core clock far behind made it fire at once, one far ahead
     * made it wait that much longer.
     */
    @ParameterizedTest
    @ValueSource(longs = {-365 * 86_400L, -86_400, 0, 86_400, 365 * 86_400L})
    void theWatchdogSleepsTheLaunchsTimeoutWhateverTheCoresClockSays(long offsetSeconds) throws Exception {
        Launch l = Launch.builder("clock.1", "clock", List.of("true"))
                .workingDirectory(tmp)
                .logFile(tmp.resolve("clock.1.log"))
                .startedAt(Instant.now().plusSeconds(offsetSeconds))
                .timeout(Duration.ofMinutes(90))
                .stopGracePeriod(Duration.ofMillis(1500))
                .build();
        String script = Files.readString(Wrapper.write(l, tmp, TOOLS, null));
        assertTrue(script.contains("\n  '/bin/sleep' 5400.000\n  : > \"$st/timedout\""), script);
    }
}
