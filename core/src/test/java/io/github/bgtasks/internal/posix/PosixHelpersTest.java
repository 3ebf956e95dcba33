package io.github.bgtasks.internal.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared POSIX helpers, each on the real system where it reads one. */
class PosixHelpersTest {
    @TempDir
    Path dir;

    @Test
    void procStatReadsThisJvmAndParsesNamesWithParentheses() {
        long me = ProcessHandle.current().pid();
        ProcStat s = ProcStat.read(me).orElseThrow();
        assertEquals(me, s.pid());
        assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), s.ppid());
        // sid and pgid are 0 when the session or group leader lives outside this PID namespace (containers)
        assertTrue(s.startTime() > 0 && s.sid() >= 0 && s.pgid() >= 0, s.toString());
        ProcStat odd = ProcStat.parse(7, "7 (a) (b) c) S 1 7 7 0 -1 4194560 1 0 0 0 3 4 0 0 20 0 1 0 12345 0 0")
                .orElseThrow();
        assertEquals(new ProcStat(7, 'S', 1, 7, 7, 7, 12345), odd);
        assertEquals(Optional.empty(), ProcStat.parse(7, "garbage"));
        assertEquals(Optional.empty(), ProcStat.read(Long.MAX_VALUE));
    }

    @Test
    void waitStatusKeepsExitCodesAndSignalsApart() {
        assertEquals(new WaitStatus(3, 0), WaitStatus.fromWaitStatus(3 << 8));
        assertEquals(new WaitStatus(-1, 15), WaitStatus.fromWaitStatus(15));
        assertEquals(new WaitStatus(-1, 9), WaitStatus.fromWaitStatus(9 | 0x80)); // core dumped
        assertEquals(new WaitStatus(-1, 15), WaitStatus.fromShell(143));
        assertEquals(new WaitStatus(128, 0), WaitStatus.fromShell(128));
        assertEquals("signal 15 SIGTERM", WaitStatus.fromShell(143).toString());
        assertThrows(IllegalArgumentException.class, () -> new WaitStatus(1, 9));
    }

    @Test
    void taskNamesFollowOneRule() {
        assertEquals("build_main-2", TaskNames.check("build_main-2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskNames.check("a\nb"));
        assertEquals("task name 'a\\u000ab' has control character U+000A at index 1; " + TaskNames.RULE, e.getMessage());
        assertFalse(TaskNames.isValid("-x"));
        assertFalse(TaskNames.isValid("x".repeat(65)));
        assertEquals("my-tool-sh", TaskNames.stemOf("/opt/bin/my tool.sh"));
        assertEquals("task", TaskNames.stemOf("///"));
        assertTrue(TaskNames.isValid(TaskNames.stemOf("/usr/bin/--\u00e9\u00e9") + "-1"));
    }

    @Test
    void executablesAreFoundAsExecvpFindsThem() throws Exception {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path tool = Files.createFile(bin.resolve("tool"), PrivateFiles.OWNER_ONLY_EXECUTABLE);
        Files.createFile(bin.resolve("data"));
        assertEquals(Optional.of(tool), Executables.find("tool", dir, "/nonexistent:bin"));
        assertEquals(Optional.empty(), Executables.find("data", dir, "bin"));
        Executables.check("bin/tool", dir, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Executables.check("data", dir, "bin"));
        assertTrue(e.getMessage().startsWith("program 'data' was not found on PATH (bin)"), e.getMessage());
    }

    @Test
    void privateFilesAreOwnerOnlyAndNeverReplaceAnything() throws Exception {
        Path nested = dir.resolve("a/b");
        PrivateFiles.createDirectory(nested);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(nested)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(nested.getParent())));
        try (SeekableByteChannel ch = PrivateFiles.createFile(nested.resolve("f"))) {
            assertEquals(0, ch.size());
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(nested.resolve("f"))));
        Files.createSymbolicLink(nested.resolve("link"), nested.resolve("elsewhere"));
        assertThrows(FileAlreadyExistsException.class, () -> PrivateFiles.createFile(nested.resolve("link")));
        assertFalse(Files.exists(nested.resolve("elsewhere")), "a link is never followed");
        assertEquals(Optional.of("other users"), PrivateFiles.writers(PosixFilePermissions.fromString("rwxrwxrwx")));
        assertEquals(Optional.of("its group"), PrivateFiles.writers(PosixFilePermissions.fromString("rwxrwx---")));
        assertEquals(Optional.empty(), PrivateFiles.writers(PosixFilePermissions.fromString("rwxr-xr-x")));
        assertTrue(PrivateFiles.isOurs(nested, Files.readAttributes(nested,
                java.nio.file.attribute.PosixFileAttributes.class)));
    }

    @Test
    void daemonThreadsAreNamedDaemons() throws Exception {
        Thread t = DaemonThreads.factory("bgtasks-test").newThread(() -> { });
        assertTrue(t.isDaemon());
        assertEquals("bgtasks-test-1", t.getName());
        Thread started = DaemonThreads.start("bgtasks-once", () -> { });
        started.join();
        assertTrue(started.isDaemon());
    }
}
