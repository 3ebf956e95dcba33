package io.github.bgtasks.ssh;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.CompletionListener;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.ssh.internal.RemoteHost;
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
import org.mockito.Mockito;

/** Dropped connections and unreachable hosts, against real sshd instances. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConnectionTest {
    @RegisterExtension
    static final SshHosts HOSTS = new SshHosts(2);
    private static final Duration PATIENCE = SshHosts.PATIENCE;

    @TempDir
    Path dir;

    private BackgroundTasks tasks(SshBackend backend) {
        return BackgroundTasks.builder().backend(backend).logDirectory(dir.resolve("logs")).stopTasksOnClose(true)
                .stopGracePeriod(Duration.ofMillis(500)).build();
    }

    /** A task that blocks on a FIFO until the test writes to it; its marker is its last argument. */
    private TaskSpec blocked(String name, Path fifo, String marker) throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        return TaskSpec.builder("sh", "-c", "read x < \"$1\"; echo \"got:$x\"", "sh", fifo.toString(), marker)
                .name(name).build();
    }

    @Test
    void aTaskThatEndsWhileTheConnectionIsDownIsReportedOnceAfterTheReconnect() throws Exception {
        String marker = ProcessMarkers.marker();
        SshBackend backend = HOSTS.backend("h0").remoteDirectory(dir.resolve("remote").toString()).build();
        RemoteHost host = backend.hosts().get(0);
        try (BackgroundTasks tasks = tasks(backend)) {
            Path fifo = dir.resolve("go");
            TaskHandle h = tasks.start(blocked("survivor", fifo, marker));
            CompletionListener listener = mock(CompletionListener.class);
            h.addListener(listener);
            ProcessMarkers.awaitRunning(PATIENCE, marker);

            // First a plain drop: the master connection is killed (it is this JVM's child).
            ProcessHandle master = host.masterProcess().orElseThrow();
            assertTrue(master.destroyForcibly());
            await("a new master connection").atMost(PATIENCE).until(() -> host.connections() >= 2 && host.connected());
            assertEquals(TaskState.RUNNING, h.state());
            assertTrue(host.multiplexed(), "calls go over the new master connection");

            // Then the host goes away; the task ends meanwhile; the host comes back.
            HOSTS.stopHost(0);
            await("the drop noticed").atMost(PATIENCE).until(() -> !host.connected());
            Files.writeString(fifo, "go\n");
            Path events = dir.resolve("remote/events");
            await("the task's end recorded on the host").atMost(PATIENCE)
                    .until(() -> Files.readString(events).contains("survivor.1 exit 0"));
            assertEquals(TaskState.RUNNING, h.state(), "nothing is known before the reconnect");
            HOSTS.startHost(0);

            TaskResult r = h.onExit().get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
            assertEquals(List.of("got:go"), h.tail(1));
            verify(listener, timeout(PATIENCE.toMillis())).onComplete(r);
            // A later drop replays nothing that was reported already.
            int before = host.connections();
            host.masterProcess().orElseThrow().destroyForcibly();
            await("another reconnect").atMost(PATIENCE).until(() -> host.connections() > before && host.connected());
            Mockito.verifyNoMoreInteractions(listener);
        } finally {
            ProcessMarkers.killAll(marker);
        }
    }

    @Test
    void aTaskWhoseSessionVanishedWithoutARecordWhileDisconnectedIsLost() throws Exception {
        String marker = ProcessMarkers.marker();
        Path remote = dir.resolve("remote");
        SshBackend backend = HOSTS.backend("h0").remoteDirectory(remote.toString()).build();
        RemoteHost host = backend.hosts().get(0);
        try (BackgroundTasks tasks = tasks(backend)) {
            TaskHandle h = tasks.start(TaskSpec.builder("sleep", marker).name("vanished").build());
            ProcessMarkers.awaitRunning(PATIENCE, marker);
            // As if the host restarted while the connection was down: the task, its wrapper and its
            // log pipe (all name this test's directory or marker) and the tmux server die by SIGKILL.
            ProcessHandle master = host.masterProcess().orElseThrow();
            HOSTS.stopHost(0);
            master.onExit().get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            // The log pipe first (it would record the others' end), then the rest, then tmux.
            for (boolean pipes : new boolean[] {true, false}) {
                for (ProcessMarkers.Proc p : ProcessMarkers.all()) {
                    boolean ours = p.argv().stream().anyMatch(a -> a.contains(remote.toString()) || a.equals(marker));
                    boolean pipe = p.argv().stream().anyMatch(a -> a.contains("/events"));
                    if (ours && pipe == pipes) {
                        ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            }
            HOSTS.killTmuxServer(0);
            HOSTS.startHost(0);
            TaskResult r = h.onExit().get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(TaskState.LOST, r.state(), r.toString());
            assertTrue(r.lostReason().orElseThrow().startsWith("its tmux session on h0 is gone and no exit status was "
                    + "recorded"), r.toString());
        } finally {
            ProcessMarkers.killAll(marker);
        }
    }

    @Test
    void aHostUnreachablePastTheLimitMakesItsTasksLost() throws Exception {
        String marker = ProcessMarkers.marker();
        SshBackend backend = HOSTS.backend("h1").remoteDirectory(dir.resolve("remote").toString())
                .unreachableLimit(Duration.ofSeconds(2)).build();
        try (BackgroundTasks tasks = tasks(backend)) {
            TaskHandle h = tasks.start(TaskSpec.builder("sleep", marker).name("stranded").build());
            ProcessMarkers.awaitRunning(PATIENCE, marker);
            HOSTS.stopHost(1);
            TaskResult r = h.onExit().get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(TaskState.LOST, r.state(), r.toString());
            String why = r.lostReason().orElseThrow();
            assertTrue(why.startsWith("host h1 has been unreachable for 2.0 s: "), why);
            assertTrue(ProcessMarkers.withAnyArgument(marker).size() > 0, "the task itself still runs on the host");
        } finally {
            ProcessMarkers.killAll(marker);
            HOSTS.startHost(1);
        }
    }
}
