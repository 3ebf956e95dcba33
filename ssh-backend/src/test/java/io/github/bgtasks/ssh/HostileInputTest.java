package io.github.bgtasks.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile values stay inert on the remote side: in paths that reach the remote shell and tmux's
 * format and strftime expansion (the log pipe), as well as in argv, environment and input (which
 * the contract suite covers). And the builder never turns host key checking off.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HostileInputTest {
    @RegisterExtension
    static final SshHosts HOSTS = new SshHosts(1);

    @TempDir
    Path dir;

    @Test
    void hostilePathsReachTheHostLiterally() throws Exception {
        Path pwned = dir.resolve("pwned");
        String hostile = "l #{pane_pid} %s %% '$(touch " + pwned + ")' `touch " + pwned + "`; x";
        Path logs = dir.resolve(hostile);
        String remote = dir.resolve("r " + hostile).toString();
        try (BackgroundTasks tasks = BackgroundTasks.builder().backend(HOSTS.backend("h0").remoteDirectory(remote).build())
                .logDirectory(logs).stopTasksOnClose(true).build()) {
            TaskHandle h = tasks.start(TaskSpec.builder("printf", "%s|%s\\n", "$(touch " + pwned + ")", "#{pane_pid}")
                    .environment(Map.of("X", "'; touch " + pwned + " #")).name("hostile").build());
            assertEquals(TaskState.SUCCEEDED, h.onExit().join().state(), h.tail(5).toString());
            assertEquals(logs.resolve("h0").resolve("hostile.1.log"), h.logFile());
            assertEquals("$(touch " + pwned + ")|#{pane_pid}\r\n", Files.readString(h.logFile(), StandardCharsets.UTF_8));
            assertEquals(List.of("$(touch " + pwned + ")|#{pane_pid}"), h.tail(1));
            assertEquals("hostile.1 exit 0\n", Files.readString(Path.of(remote, "events")));
        }
        assertFalse(Files.exists(pwned), "a value was interpreted by a shell");
    }

    @Test
    void hostKeyCheckingCannotBeTurnedOff() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SshBackend.builder().sshOption("StrictHostKeyChecking=no"));
        assertEquals("ssh option 'StrictHostKeyChecking=no' would turn off host key checking, which this backend never "
                + "does; add the host's key to known_hosts instead", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SshBackend.builder().sshOption("ControlPath=/tmp/x"));
        assertThrows(IllegalArgumentException.class, () -> SshBackend.builder().host("-oProxyCommand=touch x"));
        assertThrows(IllegalStateException.class, () -> SshBackend.builder().build());
    }

    @Test
    void anUnknownHostKeyIsRefused() throws Exception {
        Path config = dir.resolve("config");
        // The right host, but a known_hosts file that does not know it: strict checking refuses.
        Files.writeString(config, Files.readString(HOSTS.sshConfig()).replaceAll("UserKnownHostsFile .*",
                "UserKnownHostsFile " + dir.resolve("empty_known_hosts")));
        Files.writeString(dir.resolve("empty_known_hosts"), "");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SshBackend.builder().sshConfig(config)
                .socketName(HOSTS.socket).host("h0").remoteDirectory(dir.resolve("r").toString()).build());
        assertTrue(e.getMessage().startsWith("could not connect to h0 with ssh: "), e.getMessage());
        assertTrue(e.getMessage().contains("Host key verification failed"), e.getMessage());
    }

    private static void assertTrue(boolean b, String message) {
        org.junit.jupiter.api.Assertions.assertTrue(b, message);
    }
}
