package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 6, smaller ones: a perl that never answers or that fails at once. Starting the
 * backend fails within a limit, and the message names the program, its exit, and what it
 * printed on stderr. Fake perls are shell scripts.
 *
 * <p>Perl helper only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PerlStartupTest extends RealProcessTest {

    private Path fakePerl(String body) throws IOException {
        Path perl = dir.resolve("bin").resolve("perl");
        Files.createDirectories(perl.getParent());
        Files.writeString(perl, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(perl, PosixFilePermissions.fromString("rwx------"));
        return perl;
    }

    @Test
    void aPerlThatNeverAnswersIsNamedAndKilledAfterTheReadyLimit() throws IOException {
        String m = marker();
        Path perl = fakePerl("echo 'starting up slowly' >&2; exec sleep " + m);
        Spawner.Settings settings = new Spawner.Settings(Duration.ofSeconds(2), Duration.ofSeconds(30),
                1024 * 1024, Duration.ofSeconds(30));

        IOException e = assertThrows(IOException.class, () -> new Spawner(perl, settings).close());

        String msg = e.getMessage();
        assertTrue(msg.contains(perl.toString()) && msg.contains("did not answer within 2 s")
                && msg.contains("wedged") && msg.contains("starting up slowly"), msg);
        awaitGone(Duration.ofSeconds(30), m); // killed, not left waiting
    }

    @Test
    void aPerlThatFailsIsNamedWithItsExitCodeAndStderr() throws IOException {
        Path perl = fakePerl("echo 'perl: error while loading shared libraries: libperl.so.5.36' >&2; exit 3");

        IOException e = assertThrows(IOException.class, () -> new Spawner(perl).close());

        String msg = e.getMessage();
        assertTrue(msg.contains(perl.toString()) && msg.contains("exited with code 3")
                && msg.contains("libperl.so.5.36"), msg);
    }

    @Test
    void aPerlThatIsKilledBySignalIsNamedWithTheSignal() throws IOException {
        Path perl = fakePerl("kill -KILL $$");

        IOException e = assertThrows(IOException.class, () -> new Spawner(perl).close());

        String msg = e.getMessage();
        assertTrue(msg.contains(perl.toString()) && msg.contains("signal 9"), msg);
    }
}
