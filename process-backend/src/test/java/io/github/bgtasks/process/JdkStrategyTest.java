package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.internal.posix.ProcStat;
import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.spi.ExitStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the JDK strategy promises: chosen when Perl is missing; each task in a session of its own
 * through {@code setsid} (the JVM's child, no fork in between); stop ends the whole session, also
 * processes whose parent died; what a finished task leaves behind is ended after the grace
 * period; without {@code setsid}, the tree is found through its descendants and what was seen
 * once is ended even after its parent died; input is bounded as with the helper; exit values
 * decode as documented.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // against hangs only: a busy machine may be very slow
class JdkStrategyTest extends RealProcessTest {
    private Supplier<Backend> backends = ProcessBackend::jdk;

    @Override
    Backend newBackend() {
        return backends.get();
    }

    @Override
    boolean perlHelper() {
        return false;
    }

    @Test
    void createFallsBackToTheJdkWhenPerlIsMissing() throws IOException {
        Path noPerl = Files.createDirectory(dir.resolve("no-perl"));
        Backend b = ProcessBackend.create(noPerl.toString());
        try {
            assertInstanceOf(JdkSpawner.class, b);
        } finally {
            b.close();
        }
        backends = () -> ProcessBackend.create(noPerl.toString());
        TaskHandle h = newTasks().start(TaskSpec.shell("echo without perl").build());
        assertEquals(TaskState.SUCCEEDED, h.onExit().join().state());
        assertEquals(List.of("without perl"), h.tail(1));

        Backend withPerl = ProcessBackend.create(Perl.searchPath());
        try {
            assertInstanceOf(Spawner.class, withPerl, "Perl is preferred where it exists");
        } finally {
            withPerl.close();
        }
    }

    @Test
    void aBrokenPerlIsReportedWithItsReasonAndTheWayOut() throws IOException {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path perl = Files.writeString(bin.resolve("perl"), "#!/bin/sh\necho 'no libperl' >&2; exit 3\n");
        Files.setPosixFilePermissions(perl, PosixFilePermissions.fromString("rwx------"));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ProcessBackend.create(bin.toString()));
        String msg = e.getMessage();
        assertTrue(msg.contains(perl.toString()) && msg.contains("exited with code 3") && msg.contains("no libperl")
                && msg.contains("ProcessBackend.jdk()"), msg);
    }

    @Test
    void eachTaskIsTheJvmsChildAndLeadsASessionOfItsOwn() {
        assumeTrue(JdkSpawner.findSetsid().isPresent(), "needs setsid");
        String m = marker();
        TaskHandle h = newTasks().start(TaskSpec.builder("sleep", m).build());
        long pid = h.pid().orElseThrow();
        // setsid(1) carries the marker too until it executes the task in place: wait for that exec
        within(Duration.ofMinutes(1)).until(() -> Procs.read(pid).map(p -> p.argv().equals(List.of("sleep", m))).orElse(false));
        ProcStat s = ProcStat.read(pid).orElseThrow();
        assertEquals(pid, s.sid(), "session: " + s);
        assertEquals(pid, s.pgid(), "process group: " + s);
        assertEquals(ProcessHandle.current().pid(), s.ppid(), "setsid executed the task in place: " + s);
        assertEquals(15, h.stop().join().signal().orElse(-1));
    }

    @Test
    void stopEndsTheWholeSessionAlsoProcessesWhoseParentDied() {
        assumeTrue(JdkSpawner.findSetsid().isPresent(), "needs setsid");
        String orphan = marker();
        String own = marker();
        // the subshell exits at once: its sleep is re-parented, no descendant of the task any more
        TaskHandle h = newTasks().start(TaskSpec.shell("(sleep " + orphan + " &); exec sleep " + own).build());
        awaitRunning(orphan, 1);
        awaitRunning(own, 1);
        TaskResult r = h.stop().join();
        assertEquals(TaskState.STOPPED, r.state(), r.toString());
        assertEquals(15, r.signal().orElse(-1), r.toString());
        awaitGone(Duration.ofMinutes(1), orphan, own);
    }

    @Test
    void whatAFinishedTaskLeftBehindIsEndedAfterTheGracePeriod() {
        assumeTrue(JdkSpawner.findSetsid().isPresent(), "needs setsid");
        String left = marker();
        // it ignores SIGTERM, and holds the task's output open: the exit is still reported
        TaskHandle h = newTasks().start(TaskSpec.shell("(trap '' TERM; exec sleep " + left + ") & exit 3").build());
        TaskResult r = h.onExit().join();
        assertEquals(3, r.exitCode().orElse(-1), r.toString());
        awaitGone(Duration.ofMinutes(1), left);
    }

    /** The ends of tasks close together share one pass over /proc (issue 8): none is missed. */
    @Test
    void tasksThatEndTogetherEachHaveWhatTheyLeftBehindEnded() {
        assumeTrue(JdkSpawner.findSetsid().isPresent(), "needs setsid");
        BackgroundTasks tasks = newTasks();
        List<String> left = new ArrayList<>();
        List<TaskHandle> handles = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String m = marker();
            left.add(m);
            handles.add(tasks.start(TaskSpec.shell("(trap '' TERM; exec sleep " + m + ") & exit 0").build()));
            // tasks without leftovers in the same batches
            handles.add(tasks.start(TaskSpec.builder(List.of("true")).build()));
        }
        for (TaskHandle h : handles) {
            TaskResult r = h.onExit().join();
            assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
        }
        awaitGone(Duration.ofMinutes(1), left.toArray(String[]::new));
    }

    @Test
    void withoutSetsidTheTreeIsFoundThroughItsDescendants() {
        backends = () -> new JdkSpawner(Optional.empty(), Spawner.Settings.DEFAULTS);
        String child = marker();
        String stubborn = marker();
        TaskHandle h = newTasks().start(TaskSpec.shell(
                "sleep " + child + " & sh -c 'trap \"\" TERM; sleep " + stubborn + "' & wait").build());
        long pid = h.pid().orElseThrow();
        awaitRunning(child, 1);
        awaitRunning(stubborn, 1);
        long jvmGroup = ProcStat.read(ProcessHandle.current().pid()).orElseThrow().pgid();
        assertEquals(jvmGroup, ProcStat.read(pid).orElseThrow().pgid(), "the task stays in the JVM's process group");

        TaskResult r = h.stop().join();

        // the shell dies of SIGTERM at once; what ignores it was seen, and gets SIGKILL at the deadline
        assertEquals(15, r.signal().orElse(-1), r.toString());
        awaitGone(Duration.ofMinutes(1), child, stubborn);
    }

    @Test
    void inputToATaskThatDoesNotReadIsBounded() throws Exception {
        Spawner.Settings small = new Spawner.Settings(Duration.ofSeconds(60), Duration.ofSeconds(30), 64 * 1024,
                Duration.ofSeconds(2));
        backends = () -> new JdkSpawner(JdkSpawner.findSetsid(), small);
        BackgroundTasks tasks = newTasks();
        String m = marker();
        TaskHandle deaf = tasks.start(TaskSpec.builder("sleep", m).build());
        String line = "x".repeat(16 * 1024 - 1); // send() adds the newline
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 1024; i++) { // 16 MiB: far beyond pipe and bound
                deaf.send(line);
            }
        });
        CompletionException e = assertThrows(CompletionException.class, sending::join);
        assertTrue(String.valueOf(e.getCause().getMessage()).contains("is not reading its standard input"),
                e.getCause().toString());

        TaskHandle reader = tasks.start(TaskSpec.builder("wc", "-c").build());
        String big = "y".repeat(64 * 1024 - 1);
        for (int i = 0; i < 48; i++) { // 3 MiB: far beyond the bound, to a task that reads
            reader.send(big);
        }
        reader.closeInput();
        assertEquals(TaskState.SUCCEEDED, reader.onExit().join().state());
        assertEquals(String.valueOf(48 * 64 * 1024), reader.tail(1).get(0).strip());
    }

    @Test
    void exitValuesDecodeAsDocumented() {
        assertEquals(ExitStatus.exited(0), JdkTask.decode(0));
        assertEquals(ExitStatus.exited(128), JdkTask.decode(128));
        assertEquals(ExitStatus.signaled(9), JdkTask.decode(137));
        assertEquals(ExitStatus.signaled(64), JdkTask.decode(192));
        assertEquals(ExitStatus.exited(193), JdkTask.decode(193));
        assertEquals(ExitStatus.exited(255), JdkTask.decode(255));
    }
}
