package io.github.bgtasks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.watch.WatchSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watch mode on a real process and real files, with the debounce in virtual time: the test
 * moves time once it has seen the watcher take in every save, so nothing depends on how fast the
 * machine is.
 */
class WatchModeTest {
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final Duration DEBOUNCE = Duration.ofSeconds(1);

    @TempDir
    Path dir;
    private Path src;
    private final String marker = "marker-" + UUID.randomUUID();
    private final ManualScheduler scheduler = new ManualScheduler();
    private final JdkBackend backend = new JdkBackend();
    private BackgroundTasks tasks;

    @BeforeEach
    void open() throws Exception {
        src = Files.createDirectories(dir.resolve("src"));
        // The log directory is inside the watched tree: the task's own output must not restart it.
        tasks = BackgroundTasks.builder().backend(backend).logDirectory(src.resolve("logs")).scheduler(scheduler)
                .ticker(scheduler.ticker()).build();
    }

    @AfterEach
    void close() {
        tasks.close();
        assertEquals(List.of(), ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList(), "nothing left running");
    }

    private TaskHandle startWatching(List<TaskResult> heard) {
        TaskHandle h = tasks.start(TaskSpec.builder("sh", "-c", "echo run; read line", "sh", marker).name("tests")
                .watch(WatchSpec.builder(src).exclude("*.tmp").debounce(DEBOUNCE).build()).build());
        h.addListener(heard::add);
        return h;
    }

    private void awaitRunning(TaskHandle h, String id) {
        await().atMost(PATIENCE).until(() -> h.id().equals(id) && h.state() == TaskState.RUNNING
                && Files.readString(h.logFile()).equals("run\n"));
    }

    @Test
    void aBurstOfFiveSavesRestartsOnceAndExcludedFilesNever() throws Exception {
        List<TaskResult> heard = new CopyOnWriteArrayList<>();
        TaskHandle h = startWatching(heard);
        awaitRunning(h, "tests.1");

        for (int i = 1; i <= 5; i++) {
            Files.writeString(src.resolve("f" + i + ".txt"), "save " + i);
        }
        await().atMost(PATIENCE).until(() -> tasks.watcher().pendingChanges() == 5);
        assertEquals("tests.1", h.id(), "nothing restarts before the files are quiet");
        scheduler.advance(DEBOUNCE.minusMillis(1));
        assertEquals("tests.1", h.id(), "nor just before");

        scheduler.advance(Duration.ofMillis(1));
        awaitRunning(h, "tests.2");
        await().atMost(PATIENCE).until(() -> heard.size() == 1);
        assertEquals("tests.1", heard.get(0).id());
        assertEquals(TaskState.STOPPED, heard.get(0).state(), "the old run was stopped gracefully: " + heard.get(0));
        assertEquals(2, backend.launches.get(), "five saves, one restart");
        assertEquals(0, tasks.watcher().pendingChanges());

        // Excluded: a glob, a default-excluded build directory, and the task's own logs (written
        // by run 2 above). A save after them shows that the watcher has taken them in, in order.
        Files.writeString(src.resolve("scratch.tmp"), "x");
        Files.createDirectories(src.resolve("target/classes"));
        Files.writeString(src.resolve("target/classes/A.class"), "x");
        Files.writeString(src.resolve("f1.txt~"), "editor backup");
        Files.writeString(src.resolve("sentinel.txt"), "x");
        await().atMost(PATIENCE).until(() -> tasks.watcher().pendingChanges() >= 1);
        assertEquals(1, tasks.watcher().pendingChanges(), "only the sentinel counts");
        scheduler.advance(DEBOUNCE);
        awaitRunning(h, "tests.3");
        assertEquals(3, backend.launches.get());
        assertEquals(List.of("tests.1", "tests.2", "tests.3"), tasks.list().stream().map(TaskHandle::id).toList());

        // stop() ends the watching: the run stops, onExit completes, changes start nothing.
        TaskResult last = h.stop().get();
        assertEquals("tests.3", last.id());
        assertEquals(TaskState.STOPPED, last.state());
        assertEquals(0, tasks.watcher().registrations(), "no longer watching");
        Files.writeString(src.resolve("f1.txt"), "after the stop");
        scheduler.advance(DEBOUNCE.multipliedBy(2));
        assertEquals(3, backend.launches.get());
        await().atMost(PATIENCE).until(() -> heard.size() == 3);
    }

    @Test
    void aRunThatEndsByItselfWaitsForTheNextChange() throws Exception {
        List<TaskResult> heard = new CopyOnWriteArrayList<>();
        TaskHandle h = tasks.start(TaskSpec.builder("sh", "-c", "echo run; exit 3", "sh", marker).name("build")
                .watch(WatchSpec.builder(src).debounce(DEBOUNCE).build()).build());
        h.addListener(heard::add);
        await().atMost(PATIENCE).until(() -> heard.size() == 1);
        assertEquals(TaskState.FAILED, heard.get(0).state());
        assertTrue(!h.onExit().isDone(), "still watching");

        Files.writeString(src.resolve("a.txt"), "fix");
        await().atMost(PATIENCE).until(() -> tasks.watcher().pendingChanges() == 1);
        scheduler.advance(DEBOUNCE);
        await().atMost(PATIENCE).until(() -> heard.size() == 2);
        assertEquals("build.2", heard.get(1).id(), "each run's result is reported");
        h.stop();
        assertEquals("build.2", h.onExit().get().id());
    }

    @Test
    void aMissingPathIsRefusedBeforeAnythingStarts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tasks.start(
                TaskSpec.builder("true").watch(WatchSpec.builder(dir.resolve("nope")).build()).build()));
        assertEquals("watched path " + dir.resolve("nope") + " does not exist; create it, or watch the directory it "
                + "will appear in", e.getMessage());
        assertEquals(0, backend.launches.get());
        assertEquals("debounce must be positive, was PT0S", assertThrows(IllegalArgumentException.class,
                () -> WatchSpec.builder(src).debounce(Duration.ZERO)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WatchSpec.builder(src).include("a[b"))
                .getMessage().startsWith("include glob 'a[b' is not valid: "));
    }
}
