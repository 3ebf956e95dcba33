package io.github.bgtasks.ssh.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.bgtasks.ssh.SshHosts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Every value reaches the remote script as one literal argument, through the real remote login shell. */
class QuotingTest {
    @RegisterExtension
    static final SshHosts HOSTS = new SshHosts(1);

    @TempDir
    Path dir;

    @Test
    void argumentsPassTheRemoteLoginShellLiterally() throws Exception {
        Path pwned = dir.resolve("pwned");
        List<String> hostile = List.of("$(touch " + pwned + ")", "`touch " + pwned + "`", "'; touch " + pwned + " #",
                "a'b\"c", "a;", "semi\\;", "#{pid}", "%s %n", "-t", "x y", "", "line1\nline2", "tab\there", "*", "~",
                "héllo-✓", "$HOME", "!!", "\\", "'", "''");
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            Ssh ssh = new Ssh("ssh", List.of("-F", HOSTS.sshConfig().toString()), "h0", dir.resolve("none"), scheduler);
            String out = ssh.text("for a in \"$@\"; do printf '[%s]\\n' \"$a\"; done", hostile, Duration.ofMinutes(2));
            StringBuilder expected = new StringBuilder();
            hostile.forEach(a -> expected.append('[').append(a).append("]\n"));
            assertEquals(expected.toString(), out);
            // Standard input is passed as bytes, never parsed.
            byte[] in = "$(touch x)\n'\0\u00ff".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            assertEquals(List.of(in.length), List.of(ssh.run("wc -c | tr -d ' '", new ArrayList<>(), in,
                    Duration.ofMinutes(2)).length > 0 ? Integer.parseInt(new String(ssh.run("wc -c | tr -d ' '",
                    List.of(), in, Duration.ofMinutes(2))).trim()) : -1));
        } finally {
            scheduler.shutdownNow();
        }
        assertFalse(Files.exists(pwned), "an argument was interpreted by a shell");
    }
}
