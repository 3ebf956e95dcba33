package io.github.bgtasks.ssh;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attach command works from a person's terminal: run as it is in a terminal (a pane of a
 * private local tmux server), it shows the remote task's screen, and what is typed there reaches
 * the task.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AttachTest {
    @RegisterExtension
    static final SshHosts HOSTS = new SshHosts(1);

    @TempDir
    Path dir;

    @Test
    void theAttachCommandShowsTheRemoteTaskAndTypesIntoIt() throws Exception {
        String terminal = "bgt-attach-" + UUID.randomUUID().toString().substring(0, 8);
        try (BackgroundTasks tasks = BackgroundTasks.builder()
                .backend(HOSTS.backend("h0").remoteDirectory(dir.resolve("remote").toString()).build())
                .logDirectory(dir.resolve("logs")).stopTasksOnClose(true).build()) {
            TaskHandle h = tasks.start(TaskSpec.shell("echo 'waiting-for-you'; read x; echo \"typed:$x\"")
                    .name("attachable").build());
            String attach = h.attachCommand().orElseThrow();
            assertEquals("ssh -F " + HOSTS.sshConfig() + " -t h0 'tmux -L " + HOSTS.socket + " attach -t '\\''=attachable'\\'''",
                    attach);
            local(terminal, "new-session", "-d", "-x", "100", "-y", "20", "-s", "person", "--", "sh", "-c", attach);
            await("the remote screen in the person's terminal").atMost(SshHosts.PATIENCE).pollInterval(Duration.ofMillis(100))
                    .until(() -> local(terminal, "capture-pane", "-p", "-t", "=person:").contains("waiting-for-you"));
            local(terminal, "send-keys", "-t", "=person:", "-l", "hello");
            local(terminal, "send-keys", "-t", "=person:", "Enter");
            assertEquals(TaskState.SUCCEEDED, h.onExit().get(SshHosts.PATIENCE.toMillis(), TimeUnit.MILLISECONDS).state());
            assertEquals(List.of("typed:hello"), h.tail(1));
        } finally {
            local(terminal, "kill-server");
        }
    }

    /** Runs tmux on the private local server that plays the person's terminal. */
    private static String local(String socket, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket, "-f", "/dev/null"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("TMUX");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(SshHosts.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        return out;
    }
}
