package io.github.bgtasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, case 5: a log directory that another user owns or can write to lets that user
 * replace a new log with a FIFO (every start hung 30 s) or a link. Each case is refused when
 * the instance is built, with a message that says why and how to fix it.
 */
class LogDirectoryTest {
    @TempDir
    Path dir;

    private static RuntimeException refused(Class<? extends RuntimeException> type, Path logs) {
        return assertThrows(type, () -> BackgroundTasks.builder().backend(new JdkBackend()).logDirectory(logs).build());
    }

    private static BackgroundTasks build(Path logs) {
        return BackgroundTasks.builder().backend(new JdkBackend()).logDirectory(logs)
                .stopGracePeriod(java.time.Duration.ofMillis(100)).build();
    }

    /** Gives a file to the user nobody, or skips the test where that is not permitted (not root). */
    private static void giveToNobody(Path p) {
        try {
            UserPrincipal nobody = p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).setOwner(nobody);
        } catch (IOException | UnsupportedOperationException e) {
            assumeTrue(false, "cannot give " + p + " to the user nobody here: " + e);
        }
    }

    @Test
    void createsAMissingDirectoryForTheOwnerOnly() throws Exception {
        Path logs = dir.resolve("a/b/logs");
        try (BackgroundTasks tasks = build(logs)) {
            assertEquals(logs, tasks.logDirectory());
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(logs)));
            Path log = tasks.start(TaskSpec.builder("true").name("t").build()).logFile();
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
            assertEquals(0, Files.size(log), "the probe byte is gone");
        }
    }

    @Test
    void refusesADirectoryThatOthersCanWrite() throws Exception {
        Path logs = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals("log directory " + logs + " can be written by other users (mode rwxrwxrwx): they could replace "
                + "a task's log with a FIFO or a link, which would hang a start or send the output elsewhere. Run "
                + "`chmod 700 " + logs + "`, or choose another directory with BackgroundTasks.builder().logDirectory(...)",
                refused(IllegalArgumentException.class, logs).getMessage());

        Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwxrwx---"));
        assertTrue(refused(IllegalArgumentException.class, logs).getMessage()
                .contains(" can be written by its group (mode rwxrwx---)"));

        Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwxr-xr-x"));
        build(logs).close(); // readable by others is fine: the logs themselves are rw-------
    }

    @Test
    void refusesADirectoryOfAnotherUser() throws Exception {
        Path logs = Files.createDirectory(dir.resolve("theirs"));
        giveToNobody(logs);
        String m = refused(IllegalArgumentException.class, logs).getMessage();
        assertTrue(m.startsWith("log directory " + logs + " belongs to user nobody, not to "
                + System.getProperty("user.name")), m);
        assertTrue(m.endsWith(", the user this JVM runs as: its owner can replace a task's log with a FIFO or a link, "
                + "which would hang a start or send the output elsewhere. Choose a directory of your own with "
                + "BackgroundTasks.builder().logDirectory(...)"), m);
    }

    @Test
    void followsOnlyOurOwnLinkToOurOwnDirectory() throws Exception {
        Path target = Files.createDirectory(dir.resolve("target"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        try (BackgroundTasks tasks = build(link)) {
            assertEquals(target, tasks.logDirectory(), "the target is used, so the link cannot be swapped later");
        }

        Path theirs = Files.createDirectory(dir.resolve("their-target"));
        giveToNobody(theirs);
        Path toTheirs = Files.createSymbolicLink(dir.resolve("to-theirs"), theirs);
        assertTrue(refused(IllegalArgumentException.class, toTheirs).getMessage().startsWith("log directory " + theirs
                + " (where the link " + toTheirs + " leads) belongs to user nobody"));

        Path theirLink = Files.createSymbolicLink(dir.resolve("their-link"), target);
        giveToNobody(theirLink);
        assertTrue(refused(IllegalArgumentException.class, theirLink).getMessage().startsWith("log directory "
                + theirLink + " is a symbolic link owned by user nobody"));
    }

    @Test
    void refusesAFileThatIsNotADirectory() throws Exception {
        Path file = Files.createFile(dir.resolve("file"));
        assertEquals("log directory " + file + " exists but is not a directory; choose another directory with "
                + "BackgroundTasks.builder().logDirectory(...)", refused(IllegalArgumentException.class, file).getMessage());
    }

    @Test
    void theDefaultDirectoryIsCheckedTooAndNeverSilentlyReplaced() throws Exception {
        String tmp = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", dir.toString());
        try {
            Path preset = Files.createDirectory(dir.resolve("bgtasks-" + System.getProperty("user.name")));
            Files.setPosixFilePermissions(preset, PosixFilePermissions.fromString("rwxrwxrwx"));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> BackgroundTasks.builder().backend(new JdkBackend()).build());
            assertTrue(e.getMessage().startsWith("log directory " + preset + " can be written by other users"),
                    e.getMessage());

            Files.setPosixFilePermissions(preset, PosixFilePermissions.fromString("rwx------"));
            giveToNobody(preset);
            e = assertThrows(IllegalStateException.class, () -> BackgroundTasks.builder().backend(new JdkBackend()).build());
            assertTrue(e.getMessage().contains(" belongs to user nobody, not to "), e.getMessage());
            assertTrue(e.getMessage().endsWith("It is the default log directory (<java.io.tmpdir>/bgtasks-<user.name>), "
                    + "which anyone can create first in a shared temporary directory: have its owner or root remove "
                    + preset + ", or choose another directory with BackgroundTasks.builder().logDirectory(...)"),
                    e.getMessage());
        } finally {
            System.setProperty("java.io.tmpdir", tmp);
        }
    }
}
