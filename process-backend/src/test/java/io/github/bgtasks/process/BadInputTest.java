package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskStartException;
import io.github.bgtasks.TaskState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input fails fast, with a message that names the bad value, and starts nothing: no task
 * in {@code list()}, no log file, no process. Catalogue: 37, 38, 40, 41, 42, 43, 46, 50.
 *
 * <p>Perl helper (one test checks the helper's failed exec).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputTest extends RealProcessTest {
    private BackgroundTasks tasks;
    private Path logs;

    @BeforeEach
    void instance() {
        tasks = newTasks();
        logs = tasks.logDirectory();
    }

    /** Runs {@code bad}, expects {@code type} with all of {@code fragments} in its message, and nothing started. */
    private <T extends Throwable> T rejects(Class<T> type, Executable bad, String... fragments) throws IOException {
        T e = assertThrows(type, bad);
        for (String f : fragments) {
            assertContains(f, e.getMessage());
        }
        assertEquals(List.of(), tasks.list(), "nothing was started");
        try (Stream<Path> files = Files.list(logs)) {
            assertEquals(List.of(), files.toList(), "no log file was left");
        }
        return e;
    }

    @Test
    void nonexistentProgramOnPath() throws IOException {
        rejects(IllegalArgumentException.class, () -> tasks.start(TaskSpec.builder("no-such-program-bgt", "x").build()),
                "'no-such-program-bgt'", "not found on PATH");
    }

    @Test
    void nonexistentProgramByPath() throws IOException {
        Path missing = dir.resolve("missing-program");
        rejects(IllegalArgumentException.class, () -> tasks.start(TaskSpec.builder(missing.toString()).build()),
                missing.toString(), "does not exist");
    }

    @Test
    void programOnPathThatIsNotExecutableIsNotFound() throws IOException {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Files.writeString(bin.resolve("plain-file"), "#!/bin/sh\necho hi\n");
        rejects(IllegalArgumentException.class, () -> tasks.start(TaskSpec.builder("plain-file")
                .environment(Map.of("PATH", bin.toString())).build()), "'plain-file'", bin.toString());
    }

    @Test
    void nonExecutableFile() throws IOException {
        Path script = Files.writeString(dir.resolve("not-executable.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        rejects(IllegalArgumentException.class, () -> tasks.start(TaskSpec.builder(script.toString()).build()),
                script.toString(), "is not executable");
    }

    @Test
    void directoryAsProgram() throws IOException {
        rejects(IllegalArgumentException.class, () -> tasks.start(TaskSpec.builder(dir.toString()).build()),
                dir.toString(), "is a directory");
    }

    @Test
    void nonexistentWorkingDirectory() throws IOException {
        Path absent = dir.resolve("absent");
        rejects(IllegalArgumentException.class,
                () -> tasks.start(TaskSpec.builder("true").workingDirectory(absent).build()),
                absent.toString(), "does not exist");
    }

    @Test
    void workingDirectoryThatIsAFile() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        rejects(IllegalArgumentException.class,
                () -> tasks.start(TaskSpec.builder("true").workingDirectory(file).build()),
                file.toString(), "is not a directory");
    }

    @Test
    void emptyArgv() throws IOException {
        rejects(IllegalArgumentException.class, () -> TaskSpec.builder(), "argv must not be empty");
        rejects(IllegalArgumentException.class, () -> TaskSpec.builder(List.of()), "argv must not be empty");
    }

    @Test
    void blankProgram() throws IOException {
        rejects(IllegalArgumentException.class, () -> TaskSpec.builder("", "x"), "argv[0]", "blank");
        rejects(IllegalArgumentException.class, () -> TaskSpec.builder("  "), "argv[0]", "blank");
        rejects(IllegalArgumentException.class, () -> TaskSpec.shell(" "), "blank");
    }

    @Test
    void nulInAnArgumentOrTheEnvironment() throws IOException {
        rejects(IllegalArgumentException.class, () -> TaskSpec.builder("echo", "a\0b"), "argv[1]", "NUL");
        rejects(IllegalArgumentException.class, () -> TaskSpec.builder("echo\0x"), "argv[0]", "NUL");
        rejects(IllegalArgumentException.class,
                () -> TaskSpec.builder("true").environment(Map.of("VALUE_WITH_NUL", "a\0b")), "VALUE_WITH_NUL", "NUL");
        rejects(IllegalArgumentException.class,
                () -> TaskSpec.builder("true").environment(Map.of("NAME\0NUL", "x")), "NUL");
        rejects(IllegalArgumentException.class,
                () -> TaskSpec.builder("true").environment(Map.of("A=B", "x")), "'A=B'", "'='");
        rejects(IllegalArgumentException.class,
                () -> TaskSpec.builder("true").environment(Map.of("", "x")), "non-empty");
    }

    static Stream<Arguments> badNames() {
        return Stream.of(
                Arguments.of("job:1", "':' at index 3"),
                Arguments.of("job.1", "'.' at index 3"),
                Arguments.of("a b", "' ' at index 1"),
                Arguments.of("a/b", "'/' at index 1"),
                Arguments.of("../x", "'.' at index 0"),
                Arguments.of("#(touch)", "'#' at index 0"),
                Arguments.of("a$b", "'$' at index 1"),
                Arguments.of("a=b", "'=' at index 1"),
                Arguments.of("a*", "'*' at index 1"),
                Arguments.of("a?", "'?' at index 1"),
                Arguments.of("a[1]", "'[' at index 1"),
                Arguments.of("a;b", "';' at index 1"),
                Arguments.of("a'b", "''' at index 1"),
                Arguments.of("line\nbreak", "control character U+000A at index 4"),
                Arguments.of("tab\t", "control character U+0009 at index 3"),
                Arguments.of("nul\0", "control character U+0000 at index 3"),
                Arguments.of("del\u007f", "control character U+007F at index 3"),
                Arguments.of("-leading", "'-' at index 0"),
                Arguments.of("héllo", "'é' at index 1"),
                Arguments.of("", "has 0 characters"),
                Arguments.of("x".repeat(65), "has 65 characters"));
    }

    @ParameterizedTest
    @MethodSource("badNames")
    void invalidNamesSayWhichCharacterAndWhatIsAllowed(String name, String what) throws IOException {
        rejects(IllegalArgumentException.class, () -> TaskSpec.builder("true").name(name), what,
                "letters, digits, '_' and '-'");
    }

    @Test
    void validNamesAtTheLimits() {
        TaskHandle h = tasks.start(TaskSpec.builder("true").name("a".repeat(64)).build());
        assertEquals(TaskState.SUCCEEDED, h.onExit().join().state());
        TaskHandle h2 = tasks.start(TaskSpec.builder("true").name("A_z-09").build());
        assertEquals(TaskState.SUCCEEDED, h2.onExit().join().state());
    }

    @Test
    void duplicateRunningNameStartsNothingMore() throws IOException {
        String m = marker();
        TaskHandle first = tasks.start(TaskSpec.builder("sleep", m).name("dup").build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tasks.start(TaskSpec.builder("sleep", m).name("dup").build()));
        assertContains("'dup' is already running", e.getMessage());
        assertEquals(List.of(first), tasks.list());
        assertEquals(1, Procs.withArg(m).size(), "the second was not started");
        try (Stream<Path> files = Files.list(logs)) {
            assertEquals(List.of(logs.resolve("dup.1.log")), files.toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT0S", "PT-1S", "PT-0.001S", "PT-87600H"})
    void zeroAndNegativeDurations(String text) throws IOException {
        Duration d = Duration.parse(text);
        rejects(IllegalArgumentException.class, () -> TaskSpec.builder("true").timeout(d),
                "timeout must be positive, was " + d);
        rejects(IllegalArgumentException.class, () -> TaskSpec.builder("true").stopGracePeriod(d),
                "stop grace period must be positive, was " + d);
        rejects(IllegalArgumentException.class, () -> BackgroundTasks.builder().stopGracePeriod(d),
                "stop grace period must be positive, was " + d);
    }

    @Test
    void absurdlyLongDurations() throws IOException {
        Duration huge = Duration.ofSeconds(Long.MAX_VALUE);
        rejects(IllegalArgumentException.class, () -> TaskSpec.builder("true").timeout(huge),
                "timeout must be at most", huge.toString());
        rejects(NullPointerException.class, () -> TaskSpec.builder("true").timeout(null), "timeout");
    }

    /** The helper's exec fails although the file is an executable: the reason comes back, nothing runs. */
    @Test
    void execFailureInTheHelperIsReportedWithTheReason() throws IOException {
        String m = marker();
        Path script = Files.writeString(dir.resolve("bad-interpreter.sh"), "#!/nonexistent/interpreter\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        TaskStartException e = rejects(TaskStartException.class,
                () -> tasks.start(TaskSpec.builder(script.toString(), m).name("badinterp").build()),
                "badinterp", script.toString(), "No such file or directory");
        assertTrue(Procs.withArg(m).isEmpty(), "nothing runs");
        assertFalse(e.getMessage().isBlank());
        // the name is free again, and the instance still works
        TaskHandle ok = tasks.start(TaskSpec.builder("true").name("badinterp").build());
        assertEquals(TaskState.SUCCEEDED, ok.onExit().join().state());
    }

    @Test
    void danglingSymlinkAsWorkingDirectory() throws IOException {
        Path gone = Files.createDirectory(dir.resolve("gone"));
        Path link = Files.createSymbolicLink(dir.resolve("link-to-gone"), gone);
        Files.delete(gone);
        rejects(IllegalArgumentException.class, () -> tasks.start(TaskSpec.builder("true").workingDirectory(link).build()),
                link.toString(), "does not exist");
    }

    @Test
    void startAfterCloseIsRefused() {
        tasks.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> tasks.start(TaskSpec.builder("true").build()));
        assertContains("closed", e.getMessage());
    }
}
