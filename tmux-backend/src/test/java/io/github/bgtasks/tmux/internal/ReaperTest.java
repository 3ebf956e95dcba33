package io.github.bgtasks.tmux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Perl reaper, run on its own. */
class ReaperTest {
    @TempDir
    Path tmp;

    /** {@code %!} would load Errno, Exporter and strict: about 2 ms more on every start. */
    @Test
    void theReaperLoadsNoModule() throws Exception {
        String perl = Tools.find(true, Duration.ofMinutes(1)).perl();
        assumeTrue(perl != null, "no Perl");
        Path inc = tmp.resolve("inc");
        Process p = new ProcessBuilder(perl, "-e", Wrapper.REAPER + "END { print STDERR join(',', sort keys %INC) }",
                tmp.resolve("status").toString(), "-", "/bin/sh", "-c", "exit 0")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(inc.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("", Files.readString(inc).trim());
    }
}
