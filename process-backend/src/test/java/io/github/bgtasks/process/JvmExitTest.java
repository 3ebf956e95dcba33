package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JVM that owns the tasks goes away: SIGKILL (no shutdown hook runs; the helper notices
 * the end of its stdin and stops every task) and a normal {@code System.exit} (the shutdown
 * hook closes the instance). A child JVM runs {@link ChildJvmMain}.
 * Catalogue: 23 (the part without restart), 35 (hook), 57 (under umask 000).
 *
 * <p>Perl helper: the SIGKILL case holds only for it (with the JDK strategy, tasks outlive a JVM killed with SIGKILL).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JvmExitTest extends RealProcessTest {
    @Test
    void sigkillOfTheJvmMakesTheHelperStopEveryTaskAndExit() throws Exception {
        String plain = marker();
        String stubborn = marker();
        String tree = marker();
        ChildJvm child = ChildJvm.start(dir, children, List.of(), "hold", "plain:" + plain, "stubborn:" + stubborn, "tree:" + tree);
        long helper = child.helper();
        killAfterTest(helper);
        awaitRunning(plain, 1);
        awaitRunning(stubborn, 1);
        awaitRunning(tree, 2);

        child.process().destroyForcibly(); // SIGKILL: no shutdown hook
        assertTrue(child.process().waitFor(10, TimeUnit.SECONDS));
        assertEquals(137, child.process().exitValue());

        awaitGone(GRACE.plus(SLACK), plain, stubborn, tree);
        within(Duration.ofSeconds(5)).until(() -> !Procs.alive(helper));
        for (long pid : child.taskPids()) {
            awaitSessionEmpty(pid, Duration.ofSeconds(1));
        }
    }

    @Test
    void normalExitRunsTheShutdownHookWhichStopsEveryTaskAndTheHelper() throws Exception {
        String plain = marker();
        String stubborn = marker();
        String tree = marker();
        // umask 000: the log file and directory must still be owner-only.
        ChildJvm child = ChildJvm.start(dir, children, List.of("/bin/sh", "-c", "umask 000; exec \"$@\"", "sh"),
                "exit", "plain:" + plain, "stubborn:" + stubborn, "tree:" + tree);
        long helper = child.helper();
        killAfterTest(helper);

        assertTrue(child.process().waitFor(20, TimeUnit.SECONDS), "the child JVM exits");
        assertEquals(0, child.process().exitValue());

        awaitGone(Duration.ofSeconds(1), plain, stubborn, tree);
        within(Duration.ofSeconds(5)).until(() -> !Procs.alive(helper));
        for (Path log : child.logs()) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)), log.toString());
        }
        Path logDir = child.logs().get(0).getParent();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(logDir)),
                "the log directory was created owner-only under umask 000");
    }
}
