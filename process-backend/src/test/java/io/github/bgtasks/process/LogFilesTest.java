package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Log files: owner-only, a new file per run, never written through a link planted at the next
 * name. (The umask-000 case runs in {@link JvmExitTest}, which can set a child JVM's umask.)
 * Catalogue: 57, 58.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogFilesTest extends RealProcessTest {

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void logFilesAreOwnerOnlyAndTheMissingLogDirectoryIsCreatedOwnerOnly() throws IOException {
        Path logs = dir.resolve("deep").resolve("er").resolve("logs");
        BackgroundTasks tasks = newTasks(logs, b -> { });
        TaskHandle h = tasks.start(TaskSpec.builder("echo", "hi").build());
        h.onExit().join();

        assertEquals(logs, h.logFile().getParent());
        assertEquals("rw-------", mode(h.logFile()));
        assertEquals("rwx------", mode(logs));
    }

    @Test
    void eachRunGetsItsOwnNumberedFileAlsoAcrossInstances() throws IOException {
        BackgroundTasks tasks = newTasks();
        Path logs = tasks.logDirectory();
        for (int run = 1; run <= 3; run++) {
            TaskHandle h = tasks.start(TaskSpec.builder("echo", "run " + run).name("same").build());
            assertEquals(TaskState.SUCCEEDED, h.onExit().join().state());
            assertEquals(logs.resolve("same." + run + ".log"), h.logFile());
            assertEquals("same." + run, h.id());
        }
        // A second instance on the same directory (a new JVM, say) overwrites nothing.
        BackgroundTasks other = newTasks(logs, b -> { });
        TaskHandle h = other.start(TaskSpec.builder("echo", "run 4").name("same").build());
        h.onExit().join();
        assertEquals(logs.resolve("same.4.log"), h.logFile());
        for (int run = 1; run <= 4; run++) {
            assertEquals("run " + run + "\n", text(logs.resolve("same." + run + ".log")));
        }
    }

    @Test
    void aLinkPlantedAtTheNextLogNameIsNotFollowed() throws IOException {
        BackgroundTasks tasks = newTasks();
        Path logs = tasks.logDirectory();
        Path victim = Files.writeString(dir.resolve("victim.txt"), "precious\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
        Path notToCreate = dir.resolve("not-to-create");
        Files.createSymbolicLink(logs.resolve("target.1.log"), victim);
        Files.createSymbolicLink(logs.resolve("target.2.log"), notToCreate); // dangling
        Files.createSymbolicLink(logs.resolve("target.3.log"), Path.of("../victim.txt")); // relative

        TaskHandle h = tasks.start(TaskSpec.builder("echo", "pwned").name("target").build());
        h.onExit().join();

        assertEquals(logs.resolve("target.4.log"), h.logFile());
        assertEquals("pwned\n", text(h.logFile()));
        assertFalse(Files.isSymbolicLink(h.logFile()));
        assertEquals("precious\n", text(victim), "the victim is unchanged");
        assertEquals("rw-r--r--", mode(victim), "and so is its mode");
        assertFalse(Files.exists(notToCreate, java.nio.file.LinkOption.NOFOLLOW_LINKS), "nothing created through the link");
        assertTrue(Files.isSymbolicLink(logs.resolve("target.1.log")));
    }

    @Test
    void aLogDirectoryThatIsAFileIsRefusedAtBuild() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackgroundTasks.builder().logDirectory(file).build());
        assertContains(file.toString(), e.getMessage());
        assertContains("is not a directory", e.getMessage());
    }

    @Test
    void theLogOfAFinishedTaskStaysAndNothingElseIsWrittenNextToIt() throws IOException {
        BackgroundTasks tasks = newTasks();
        TaskHandle h = tasks.start(TaskSpec.builder("echo", "kept").name("kept").build());
        h.onExit().join();
        tasks.close();
        try (Stream<Path> files = Files.list(tasks.logDirectory())) {
            assertEquals(List.of(tasks.logDirectory().resolve("kept.1.log")), files.toList());
        }
        assertEquals("kept\n", text(h.logFile()));
    }
}
