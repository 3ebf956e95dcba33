package io.github.bgtasks.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.testkit.ProcessMarkers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A later instance finds the tasks that an earlier one left running on the host. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AdoptionTest {
    @RegisterExtension
    static final SshHosts HOSTS = new SshHosts(1);

    @TempDir
    Path dir;

    private BackgroundTasks tasks() {
        return BackgroundTasks.builder().backend(HOSTS.backend("h0").remoteDirectory(dir.resolve("remote").toString())
                .build()).logDirectory(dir.resolve("logs")).stopGracePeriod(Duration.ofMillis(500)).build();
    }

    @Test
    void aLaterInstanceFindsRunningAndEndedTasks() throws Exception {
        String marker = ProcessMarkers.marker();
        Path fifo = dir.resolve("go");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        try {
            try (BackgroundTasks first = tasks()) {
                first.start(TaskSpec.builder("sh", "-c", "read x < \"$1\"; echo \"got:$x\"", "sh", fifo.toString(), marker)
                        .name("left-running").build());
                TaskHandle ended = first.start(TaskSpec.builder("sh", "-c", "exit 7").name("ended").build());
                assertEquals(7, ended.onExit().join().exitCode().getAsInt());
                ProcessMarkers.awaitRunning(SshHosts.PATIENCE, marker);
            } // tasks keep running on close: this backend keeps them
            try (BackgroundTasks second = tasks()) {
                TaskHandle running = second.find("left-running").orElseThrow();
                TaskHandle ended = second.find("ended").orElseThrow();
                assertEquals(TaskState.RUNNING, running.state());
                assertEquals(List.of("ended.1", "left-running.1"), List.of(ended.id(), running.id()));
                assertEquals(7, ended.onExit().join().exitCode().getAsInt());
                Files.writeString(fifo, "go\n");
                assertEquals(TaskState.SUCCEEDED, running.onExit().get(SshHosts.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)
                        .state());
                assertEquals(List.of("got:go"), running.tail(1));
                // New runs do not reuse the numbers of adopted ones.
                TaskHandle again = second.start(TaskSpec.builder("true").name("ended").build());
                assertEquals("ended.2", again.id());
                again.onExit().join();
            }
        } finally {
            ProcessMarkers.killAll(marker);
        }
    }
}
