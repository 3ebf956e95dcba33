package io.github.bgtasks.slurm;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskStartException;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.testkit.ProcessMarkers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What is particular to Slurm: scancel's grace, queued jobs, statuses from squeue, one query per poll, resources. */
@ExtendWith(SlurmCluster.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SlurmBackendTest {
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    @TempDir
    Path dir;
    private BackgroundTasks tasks;
    private SlurmBackend backend;

    private BackgroundTasks tasks(SlurmBackend.Builder b) {
        backend = b.stateDirectory(dir.resolve("state")).build();
        tasks = BackgroundTasks.builder().backend(backend).logDirectory(dir.resolve("logs"))
                .stopGracePeriod(Duration.ofSeconds(1)).stopTasksOnClose(true).build();
        return tasks;
    }

    @AfterEach
    void close() {
        if (tasks != null) {
            tasks.close();
        }
    }

    @Test
    void stopSendsTermToTheJobThenKillAfterTheGrace() {
        String marker = ProcessMarkers.marker();
        TaskHandle h = tasks(SlurmCluster.get().backend()).start(TaskSpec.shell(
                "trap 'echo got TERM' TERM; echo ready; sleep " + marker + " & wait; sleep " + marker + " & wait").build());
        ProcessMarkers.awaitRunning(PATIENCE, marker);
        await("the job to be ready").atMost(PATIENCE).until(() -> h.tail(3).contains("ready"));
        TaskResult r = h.stop().join();
        assertEquals(TaskState.STOPPED, r.state());
        assertEquals(9, r.signal().orElse(-1), r.toString());
        assertTrue(h.tail(5).contains("got TERM"), "SIGTERM came first: " + h.tail(5));
        ProcessMarkers.awaitGone(PATIENCE, marker);
    }

    @Test
    void stopsAJobThatStillWaitsInTheQueue() {
        // --begin keeps the job pending for an hour: a signal cannot reach it, scancel takes it out of the queue.
        TaskHandle h = tasks(SlurmCluster.get().backend().sbatchOption("--begin=now+3600")).start(
                TaskSpec.builder("true").name("queued").build());
        TaskResult r = h.stop().join();
        assertEquals(TaskState.STOPPED, r.state());
        assertEquals(9, r.signal().orElse(-1), "a job cancelled before its program ran ended at once: " + r);
    }

    @Test
    void readsExitCodesAndSignalsFromSlurm() {
        tasks(SlurmCluster.get().backend());
        TaskHandle code = tasks.start(TaskSpec.builder("sh", "-c", "exit 255").name("code").build());
        TaskHandle killed = tasks.start(TaskSpec.shell("kill -KILL $$").name("killed").build());
        TaskHandle interrupted = tasks.start(TaskSpec.shell("kill -INT $$; sleep 5").name("interrupted").build());
        TaskHandle missing = tasks.start(TaskSpec.builder("/bin/sh", "-c", "exec ./no-such-program").name("missing").build());
        assertEquals(255, code.onExit().join().exitCode().getAsInt());
        assertEquals(9, killed.onExit().join().signal().getAsInt());
        TaskResult r = interrupted.onExit().join();
        assertEquals(2, r.signal().orElse(-1), r.toString());
        assertTrue(r.exitCode().isEmpty());
        assertEquals(127, missing.onExit().join().exitCode().getAsInt());
    }

    @Test
    void asksSlurmOncePerPollForAllJobs() throws Exception {
        tasks(SlurmCluster.get().backend());
        Path gates = Files.createDirectories(dir.resolve("gates"));
        List<TaskHandle> handles = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            // Each blocks on its own FIFO: every job is watched at once until the test opens them.
            handles.add(tasks.start(TaskSpec.builder("sh", "-c", "mkfifo \"$1/$2\" && read x < \"$1/$2\"", "sh",
                    gates.toString(), "g" + i).name("many-" + i).build()));
        }
        await("all 30 jobs running").atMost(PATIENCE).until(() -> gates.toFile().list().length == 30);
        long before = backend.polls();
        await("a few polls").atMost(PATIENCE).until(() -> backend.polls() > before + 2);
        for (int i = 0; i < 30; i++) {
            Files.writeString(gates.resolve("g" + i), "go\n"); // blocks until its job reads: the FIFO exists
        }
        for (TaskHandle h : handles) {
            assertEquals(TaskState.SUCCEEDED, h.onExit().get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS).state(), h.id());
        }
        assertEquals(30, backend.mostJobsInOnePoll());
        assertEquals(backend.polls(), backend.squeueCalls(), "exactly one squeue call per poll");
    }

    @Test
    void passesResourceRequestsPerTask() {
        tasks(SlurmCluster.get().backend().resources(SlurmResources.defaults().memoryMegabytes(64))
                .resourcesByTask(name -> name.equals("big") ? SlurmResources.defaults().cpus(2).memoryMegabytes(100) : null));
        String show = "echo \"$SLURM_CPUS_PER_TASK/$SLURM_MEM_PER_NODE\"";
        TaskHandle big = tasks.start(TaskSpec.shell(show).name("big").build());
        TaskHandle small = tasks.start(TaskSpec.shell(show).name("small").build());
        big.onExit().join();
        small.onExit().join();
        assertEquals(List.of("2/100"), big.tail(1));
        assertEquals(List.of("/64"), small.tail(1));
    }

    @Test
    void reportsWhatSlurmRefuses() {
        tasks(SlurmCluster.get().backend().resources(SlurmResources.defaults().partition("no-such-partition")));
        TaskStartException e = assertThrows(TaskStartException.class, () -> tasks.start(TaskSpec.builder("true").build()));
        assertTrue(e.getMessage().contains("sbatch refused task ") && e.getMessage().contains("partition"),
                e.getMessage());
        assertEquals(List.of(), tasks.list());
    }

    @Test
    void refusesOptionsTheBackendSetsItself() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SlurmBackend.builder().sbatchOption("--output=/tmp/x"));
        assertTrue(e.getMessage().contains("--output is set by the backend itself"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SlurmBackend.builder().sbatchOption("--account=a b\n"));
        assertThrows(IllegalArgumentException.class, () -> SlurmResources.defaults().partition("a b"));
        assertEquals(1, SlurmBackend.timeLimitMinutes(Duration.ofMillis(300), Duration.ofSeconds(10)));
        assertEquals(2, SlurmBackend.timeLimitMinutes(Duration.ofSeconds(60), Duration.ofSeconds(10)));
        assertEquals(120, SlurmBackend.timeLimitMinutes(Duration.ofHours(2).minusSeconds(20), Duration.ofSeconds(10)));
    }
}
