package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 6, case 4: a start that throws leaves nothing running. With a start limit of zero and
 * the helper stopped (SIGSTOP) until then, the start gives up before the helper answers; the
 * task that then starts late is killed and forgotten.
 *
 * <p>Perl helper only: the JDK strategy starts with {@code ProcessBuilder.start()}, with no answer to wait for.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AbandonedStartTest extends RealProcessTest {

    @Test
    void aTaskWhoseStartGaveUpIsKilledWhenItStartsLate() throws Exception {
        String m = marker();
        Path log = Files.createFile(dir.resolve("late.log"));
        Spawner.Settings impatient = new Spawner.Settings(Duration.ofSeconds(60), Duration.ZERO, 1024 * 1024,
                Duration.ofSeconds(30));
        try (Spawner spawner = new Spawner(Perl.find(), impatient)) {
            // A stopped helper cannot answer in time, however fast the machine: the start gives up.
            long helper = spawner.helperPid();
            Procs.signal(helper, "STOP");
            IOException e;
            try {
                e = assertThrows(IOException.class, () -> spawner.launch(Launch.builder("late.1", "late", List.of("sleep", m))
                        .workingDirectory(dir).logFile(log).startedAt(java.time.Instant.now()).build()));
            } finally {
                Procs.signal(helper, "CONT");
            }
            assertTrue(e.getMessage().contains("did not answer within")
                    && e.getMessage().contains("killed"), e.getMessage());
            // Kept until the helper reported its start (then it is killed) and its end (then it is forgotten).
            within(Duration.ofSeconds(60)).until(() -> spawner.tracked() == 0);
            assertEquals(List.of(), Procs.withArg(m), "the abandoned task still runs");
        }
    }
}
