package io.github.bgtasks.tmux;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import io.github.bgtasks.tmux.internal.TmuxTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** stop(), kill() and timeouts end the whole process tree, and leave nothing behind. */
class StopTest {
    /** Unique arguments that mark this class's processes. */
    private static final String M101 = Fixtures.marker();
    private static final String M102 = Fixtures.marker();
    private static final String M104 = Fixtures.marker();
    private static final String M105 = Fixtures.marker();
    private static final String M106 = Fixtures.marker();
    private static final String M107 = Fixtures.marker();
    private static final String M108 = Fixtures.marker();
    private static final String M123 = Fixtures.marker();

    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();
    static BackgroundTasks tasks;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() {
        tasks = SERVER.tasks();
    }

    private static TaskHandle awaitRunning(TaskHandle t, String marker) {
        await().atMost(Fixtures.PATIENCE).until(() -> !Fixtures.withMarker(marker).isEmpty());
        return t;
    }

    @Test
    void stopEndsTheTreeWithSigterm() throws Exception {
        String marker = M101;
        TaskHandle t = awaitRunning(tasks.start(TaskSpec.builder("sh", "-c", "sleep " + marker + "; echo never")
                .name("stop-me").build()), marker);
        TaskResult r = t.stop().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(TaskState.STOPPED, r.state(), r.toString());
        assertEquals(OptionalInt.of(15), r.signal());
        assertTrue(Fixtures.withMarker(marker).isEmpty(), "the child sleep survived");
    }

    @Test
    void killEndsTheTreeWithSigkillAtOnce() throws Exception {
        String marker = M102;
        // With an hour's grace, an end that waited for the grace period would not come in time:
        // "at once" is shown without measuring time.
        TaskHandle t = awaitRunning(tasks.start(TaskSpec.builder("sh", "-c", "trap '' TERM HUP; sleep " + marker)
                .name("kill-me").stopGracePeriod(Duration.ofHours(1)).build()), marker);
        TaskResult r = t.kill().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(TaskState.STOPPED, r.state(), r.toString());
        assertEquals(OptionalInt.of(9), r.signal());
        assertTrue(Fixtures.withMarker(marker).isEmpty(), "the child sleep survived");
    }

    @Test
    void timeoutEndsATreeWhoseChildIgnoresSigterm() throws Exception {
        String marker = M123;
        // The child ignores TERM (and HUP); a grandchild in the background ignores them too.
        TaskHandle t = tasks.start(TaskSpec.builder("sh", "-c",
                        "trap '' TERM HUP; sleep " + marker + " & sleep " + marker + "; wait")
                .name("timeout-tree").timeout(Duration.ofMillis(700)).stopGracePeriod(Duration.ofMillis(300)).build());
        TaskResult r = t.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(TaskState.TIMED_OUT, r.state(), r.toString());
        assertTrue(Fixtures.withMarker(marker).isEmpty(), "orphans left: " + Fixtures.withMarker(marker));
    }

    @Test
    void stopAlsoEndsAStoppedTask() throws Exception {
        String marker = M104;
        TaskHandle t = awaitRunning(tasks.start(TaskSpec.builder("sleep", marker).name("frozen").build()), marker);
        Fixtures.withMarker(marker).forEach(h -> SERVER.run("kill", "-STOP", Long.toString(h.pid())));
        TaskResult r = t.stop().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(OptionalInt.of(15), r.signal(), r.toString());
    }

    @Test
    void backgroundChildrenDoNotOutliveTheTask() throws Exception {
        String marker = M105;
        TaskResult r = tasks.start(TaskSpec.builder("sh", "-c", "sleep " + marker + " & exit 4").name("bg-child").build())
                .onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(OptionalInt.of(4), r.exitCode());
        await().atMost(Fixtures.PATIENCE).until(() -> Fixtures.withMarker(marker).isEmpty());
    }

    @Test
    void aRecycledPidIsNeverSignalled() throws Exception {
        // A task whose recorded wrapper pid now belongs to another process (other start time).
        Process stranger = new ProcessBuilder("sleep", M108).start();
        try (TmuxBackend backend = SERVER.backend()) {
            TmuxTask ghost = backend.newTask(Fixtures.launch(tmp, "ghost", null, Duration.ofSeconds(1), "true"),
                    tmp.resolve("ghost-state"));
            long realStart = stranger.info().startInstant().orElseThrow().toEpochMilli();
            ghost.identify(stranger.pid(), realStart - 10_000);
            ghost.terminate();
            ghost.kill();
            assertTrue(stranger.isAlive(), "a process that merely reuses the pid was signalled");
            // The same with the right start time does reach it (the check is not vacuous).
            ghost.identify(stranger.pid(), realStart);
            assertTrue(ghost.wrapper().isPresent());
        } finally {
            stranger.destroyForcibly().waitFor();
        }
    }

    @Test
    void wrapperEnforcesTheTimeoutWithoutAnyJvmWatching() throws Exception {
        // Driven directly on the backend: no core timer exists, only the wrapper's own watchdog.
        try (TmuxBackend backend = SERVER.backend()) {
            String marker = M106;
            BackendTask polite = backend.launch(Fixtures.launch(tmp, "wd-polite", Duration.ofMillis(500),
                    Duration.ofSeconds(5), "sleep", M107));
            Launch stubbornLaunch = Fixtures.launch(tmp, "wd-stubborn", Duration.ofMillis(500),
                    Duration.ofMillis(300), "sh", "-c", "trap '' TERM; echo trapped; sleep " + marker);
            BackendTask stubborn = backend.launch(stubbornLaunch);
            assertEquals(ExitStatus.signaled(15).asTimedOut(), polite.exit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
            ExitStatus s = stubborn.exit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            if (Files.readString(stubbornLaunch.logFile()).contains("trapped")) {
                assertEquals(ExitStatus.signaled(9).asTimedOut(), s, "SIGTERM was ignored: SIGKILL after the grace");
            } else { // a busy machine: the timeout came before the shell had set its trap
                assertTrue(s.equals(ExitStatus.signaled(9).asTimedOut()) || s.equals(ExitStatus.signaled(15).asTimedOut()), s.toString());
            }
            assertTrue(Fixtures.withMarker(marker).isEmpty());
            polite.release();
            stubborn.release();
        }
    }
}
