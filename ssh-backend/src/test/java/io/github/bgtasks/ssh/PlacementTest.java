package io.github.bgtasks.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.testkit.ProcessMarkers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Several hosts behind one backend: placement and the cap per host, on two real sshd instances. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PlacementTest {
    @RegisterExtension
    static final SshHosts HOSTS = new SshHosts(2);

    @TempDir
    Path dir;

    private BackgroundTasks tasks(SshBackend backend) {
        return BackgroundTasks.builder().backend(backend).logDirectory(dir.resolve("logs")).stopTasksOnClose(true)
                .stopGracePeriod(Duration.ofMillis(500)).build();
    }

    private static String hostOf(TaskHandle h) {
        return h.logFile().getParent().getFileName().toString();
    }

    @Test
    void roundRobinWithACapPerHost() {
        String m1 = ProcessMarkers.marker();
        String m2 = ProcessMarkers.marker();
        SshBackend backend = SshBackend.builder().sshConfig(HOSTS.sshConfig()).socketName(HOSTS.socket)
                .host("h0", 1).host("h1", 1).remoteDirectory(dir.resolve("remote").toString()).build();
        try (BackgroundTasks tasks = tasks(backend)) {
            TaskHandle a = tasks.start(TaskSpec.builder("sleep", m1).name("a").build());
            TaskHandle b = tasks.start(TaskSpec.builder("sleep", m2).name("b").build());
            assertEquals(List.of("h0", "h1"), List.of(hostOf(a), hostOf(b)));
            IllegalArgumentException full = assertThrows(IllegalArgumentException.class,
                    () -> tasks.start(TaskSpec.builder("true").name("c").build()));
            assertEquals("every host runs its maximum number of tasks ([h0: 1, h1: 1]); wait for one to end, or add a host",
                    full.getMessage());
            a.kill().join();
            TaskHandle c = tasks.start(TaskSpec.builder("true").name("c").build());
            assertEquals("h0", hostOf(c));
            assertEquals(TaskState.SUCCEEDED, c.onExit().join().state());
            // Run numbers count across hosts, so that ids stay unique.
            TaskHandle a2 = tasks.start(TaskSpec.builder("true").name("a").build());
            assertEquals("a.2", a2.id());
            a2.onExit().join();
        } finally {
            ProcessMarkers.killAll(m1, m2);
        }
    }

    @Test
    void byTaskNameAndLeastLoaded() {
        SshBackend named = HOSTS.backend("h0", "h1").remoteDirectory(dir.resolve("remote").toString())
                .placement(Placement.byTaskName(name -> name.startsWith("db-") ? "h1" : null)).build();
        try (BackgroundTasks tasks = tasks(named)) {
            List<TaskHandle> hs = new ArrayList<>();
            for (String name : List.of("db-1", "db-2", "web-1")) {
                hs.add(tasks.start(TaskSpec.builder("true").name(name).build()));
            }
            assertEquals(List.of("h1", "h1", "h0"), hs.stream().map(PlacementTest::hostOf).toList());
            hs.forEach(h -> assertEquals(TaskState.SUCCEEDED, h.onExit().join().state()));
        }
        SshBackend least = HOSTS.backend("h0", "h1").remoteDirectory(dir.resolve("remote2").toString())
                .placement(Placement.leastLoaded()).build();
        try (BackgroundTasks tasks = tasks(least)) {
            TaskHandle h = tasks.start(TaskSpec.builder("true").build());
            assertTrue(List.of("h0", "h1").contains(hostOf(h)));
            assertEquals(TaskState.SUCCEEDED, h.onExit().join().state());
        }
    }
}
