package io.github.bgtasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6: on a full 1 MiB tmpfs, writers ended FAILED or SUCCEEDED with a truncated log, and
 * a task started after that FAILED with an empty log; nothing named the cause. Real processes
 * (through {@link JdkBackend}) write to a real tmpfs, mounted for the test (root only).
 */
class FullDiskTest {
    @TempDir
    Path dir;

    private static BackgroundTasks instance(JdkBackend backend, Path logs) {
        return BackgroundTasks.builder().backend(backend).logDirectory(logs).build();
    }

    @Test
    void aFullLogFileSystemIsNamedOnTheResultInTheLogAndAtTheNextStart() throws Exception {
        JdkBackend backend = new JdkBackend();
        try (TmpfsMount small = TmpfsMount.mount(dir.resolve("small"), "size=1m,mode=0700");
                BackgroundTasks tasks = instance(backend, small.path())) {
            String where = "the file system of " + small.path();

            // Fits, but leaves less than 64 KiB: its output may well be complete, and the user is told.
            TaskHandle nearly = tasks.start(TaskSpec.builder("head", "-c", "1024000", "/dev/zero").name("nearly").build());
            TaskResult r = nearly.onExit().join();
            assertEquals(TaskState.SUCCEEDED, r.state());
            String problem = r.logProblem().orElseThrow();
            assertTrue(problem.matches("\\Q" + where + "\\E had only [0-9,]+ bytes free when the task ended: its output "
                    + "may be incomplete"), problem);
            assertTrue(r.summary().startsWith("nearly SUCCEEDED (exit 0) in "), r.summary());
            assertTrue(r.summary().endsWith(", 0 warnings, 0 errors; " + problem), r.summary());
            assertEquals(List.of("[bgtasks] " + problem), nearly.tail(1), "there was room to say it in the log too");

            // More than is left: the writer loses output, whatever its exit code says.
            TaskResult full = tasks.start(TaskSpec.builder("head", "-c", "2000000", "/dev/zero").name("full").build())
                    .onExit().join();
            assertEquals(where + " was full when the task ended: its output may be incomplete",
                    full.logProblem().orElseThrow(), full.summary());

            // Nothing left: the next task does not start with a log that can hold nothing.
            TaskStartException e = assertThrows(TaskStartException.class,
                    () -> tasks.start(TaskSpec.builder("true").name("after").build()));
            assertTrue(e.getMessage().startsWith("could not create the log file of task after in " + small.path()
                    + ": No space left on device; check that the directory exists, is writable and has free space"),
                    e.getMessage());
            assertEquals(2, backend.launches.get(), "the last task was not launched");
            try (Stream<Path> logs = Files.list(small.path())) {
                assertEquals(List.of("full.1.log", "nearly.1.log"),
                        logs.map(p -> p.getFileName().toString()).sorted().toList(), "no log is left of the refused start");
            }
        }
    }

    @Test
    void aReadOnlyLogDirectoryIsATaskStartExceptionNamingThePathAndTheCause() throws Exception {
        // Root ignores permissions, so a read-only mount is the way to make a directory unwritable here.
        JdkBackend backend = new JdkBackend();
        try (TmpfsMount ro = TmpfsMount.mount(dir.resolve("ro"), "ro,size=64k,mode=0700");
                BackgroundTasks tasks = instance(backend, ro.path())) {
            TaskStartException e = assertThrows(TaskStartException.class,
                    () -> tasks.start(TaskSpec.builder("true").name("nowhere").build()));
            assertEquals("could not create the log file of task nowhere in " + ro.path() + ": Read-only file system; "
                    + "check that the directory exists, is writable and has free space, or choose another one with "
                    + "BackgroundTasks.builder().logDirectory(...)", e.getMessage());
            assertEquals(0, backend.launches.get());
        }
    }
}
