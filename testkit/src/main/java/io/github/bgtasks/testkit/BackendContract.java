package io.github.bgtasks.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.CompletionListener;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskStartException;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.spi.Backend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.Mockito;

/**
 * The behaviour every backend must show behind the public API: extend this class in a
 * backend's tests and implement {@link #newBackend()}; the tests run real processes (POSIX
 * {@code sh}, {@code sleep}, {@code printf}) through the real backend and the real engine.
 *
 * <p>No outcome depends on the machine's speed: waits are bounded by {@link #PATIENCE} only,
 * a guard against a hung test, never a speed requirement. Processes that must be found again
 * carry a {@link ProcessMarkers#marker() marker}, so the checks see the whole process table,
 * orphans included, and nothing of other builds on the machine.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class BackendContract {
    /** How long a stop waits before SIGKILL in these tests. */
    protected static final Duration GRACE = Duration.ofMillis(500);
    /** How long a wait may take before the test is taken to hang; a busy machine never comes close. */
    protected static final Duration PATIENCE = Duration.ofMinutes(2);

    /** A fresh directory per test; the instance's logs go to {@code dir/logs}. */
    @TempDir
    protected Path dir;
    /** The instance under test, built on {@link #newBackend()} before each test and closed after it. */
    protected BackgroundTasks tasks;

    /** For subclasses. */
    protected BackendContract() {
    }

    /**
     * Creates the backend under test; called before each test, and again by tests that need a
     * second instance (after closing the first). The test directory {@link #dir} is set.
     *
     * @return a new backend of the kind under test
     */
    protected abstract Backend newBackend();

    @BeforeEach
    void createInstance() {
        tasks = BackgroundTasks.builder()
                .backend(newBackend())
                .logDirectory(dir.resolve("logs"))
                .stopGracePeriod(GRACE)
                .stopTasksOnClose(true)
                .build();
    }

    @AfterEach
    void closeInstance() {
        tasks.close();
    }

    private TaskResult run(TaskSpec.Builder spec) {
        return tasks.start(spec.build()).onExit().join();
    }

    @Test
    void reportsSuccessAndExitCodes() {
        TaskResult ok = run(TaskSpec.builder("true"));
        assertEquals(TaskState.SUCCEEDED, ok.state());
        assertEquals(0, ok.exitCode().getAsInt());

        TaskResult failed = run(TaskSpec.builder("sh", "-c", "exit 3").name("three"));
        assertEquals(TaskState.FAILED, failed.state());
        assertEquals(3, failed.exitCode().getAsInt());
        assertTrue(failed.signal().isEmpty());
        assertStartsWith("three FAILED (exit 3) in ", failed.summary());
    }

    @Test
    void keepsSignalApartFromExitCode() {
        TaskResult r = run(TaskSpec.shell("kill -TERM $$; sleep 5"));
        assertEquals(TaskState.FAILED, r.state());
        assertTrue(r.exitCode().isEmpty(), "no exit code when a signal ended the task: " + r);
        assertEquals(15, r.signal().getAsInt());
        assertContains("signal 15 SIGTERM", r.summary());
    }

    @Test
    void runsTasksInParallel() throws Exception {
        Path marks = dir.resolve("marks");
        assertTrue(marks.toFile().mkdirs());
        List<TaskHandle> handles = new ArrayList<>();
        // Each task marks that it runs, then blocks on its own FIFO; the test releases them only once
        // all five marks exist, which tasks run one after another never reach.
        String script = "mkfifo \"$1/$2.go\" && touch \"$1/$2\" && read go < \"$1/$2.go\"";
        for (int i = 0; i < 5; i++) {
            handles.add(tasks.start(TaskSpec.builder("sh", "-c", script, "sh", marks.toString(), "t" + i)
                    .name("parallel-" + i).build()));
        }
        Waits.until(PATIENCE, "all five tasks running at once", () -> IntStream.range(0, 5)
                .allMatch(i -> Files.exists(marks.resolve("t" + i))), () -> String.valueOf(marks.toFile().list().length));
        for (int i = 0; i < 5; i++) {
            Files.writeString(marks.resolve("t" + i + ".go"), "go\n");
        }
        for (TaskHandle h : handles) {
            assertEquals(TaskState.SUCCEEDED, h.onExit().join().state(), h.tail(5).toString());
        }
    }

    @Test
    void passesArgumentsLiterallyWithoutAShell() {
        Path pwned = dir.resolve("pwned");
        List<String> hostile = List.of("$(touch " + pwned + ")", "`touch " + pwned + "`", "'; touch " + pwned + " #",
                "a;", "semi\\;", "#{pid}", "-t", "x y", "", "line1\nline2", "héllo-✓");
        List<String> argv = new ArrayList<>(List.of("printf", "[%s]\\n"));
        argv.addAll(hostile);
        TaskHandle h = tasks.start(TaskSpec.builder(argv).build());
        assertEquals(TaskState.SUCCEEDED, h.onExit().join().state());
        StringBuilder expected = new StringBuilder();
        hostile.forEach(a -> expected.append('[').append(a).append("]\n"));
        assertEquals(expected.toString(), log(h));
        assertFalse(Files.exists(pwned), "an argument was interpreted by a shell");
    }

    @Test
    void usesTheShellOnlyWhenAskedTo() {
        TaskHandle h = tasks.start(TaskSpec.shell("echo one && echo two | tr a-z A-Z").build());
        h.onExit().join();
        assertEquals(List.of("one", "TWO"), h.tail(10));
    }

    @Test
    void setsWorkingDirectoryAndEnvironment() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work dir"));
        TaskHandle h = tasks.start(TaskSpec.shell("pwd; echo \"$GREETING\"; echo \"$EMPTY<\"; echo \"${HOME:+home set}\"")
                .workingDirectory(work)
                .environment(Map.of("GREETING", "it's a=b; $HOME #{x}", "EMPTY", ""))
                .build());
        h.onExit().join();
        assertEquals(List.of(work.toRealPath().toString(), "it's a=b; $HOME #{x}", "<", "home set"), h.tail(4));
    }

    @Test
    void logsEveryByteOfStdoutAndStderrInOrder() throws Exception {
        TaskHandle h = tasks.start(TaskSpec.shell("printf 'out1\\n'; printf 'err1\\n' >&2; printf 'out2'; "
                + "printf '\\n\\210\\377' >&2; head -c 200000 /dev/zero | tr '\\0' x").build());
        assertEquals(TaskState.SUCCEEDED, h.onExit().join().state());
        byte[] bytes = Files.readAllBytes(h.logFile());
        String text = new String(bytes, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
        assertStartsWith("out1\nerr1\nout2\n\u0088\u00ffxxx", text);
        assertEquals(200_000, text.chars().filter(c -> c == 'x').count());
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(h.logFile()));
    }

    @Test
    void tailsTheLog() {
        TaskHandle h = tasks.start(TaskSpec.shell("for i in 1 2 3 4 5; do echo line$i; done; printf last").build());
        h.onExit().join();
        assertEquals(List.of("line4", "line5", "last"), h.tail(3));
        assertEquals(6, h.tail(100).size());
        assertEquals(List.of(), h.tail(0));
        assertTrue(Files.exists(h.logFile()));
    }

    @Test
    void countsWarningsAndErrors() {
        TaskResult r = run(TaskSpec.shell("echo 'WARNING: disk'; echo 'warn: x'; echo 'ERROR: boom'; "
                + "echo 'java.lang.IllegalStateException: bad'; echo 'no errors here'; echo fine"));
        assertEquals(2, r.warningCount());
        assertEquals(2, r.errorCount());
        assertEquals(List.of("ERROR: boom", "java.lang.IllegalStateException: bad"), r.errorLines());
        assertTrue(r.summary().endsWith(", 2 warnings, 2 errors"), r.summary());
    }

    /**
     * Tells whether tasks of this backend read what {@link TaskHandle#send} sends. A backend
     * whose tasks have no standard input (a cluster's batch jobs) returns {@code false}; then
     * sending must fail with a message and the task must see end of file.
     *
     * @return {@code true} by default
     */
    protected boolean acceptsInput() {
        return true;
    }

    /**
     * Tells whether tasks of this backend have a process id on this machine. A backend whose
     * tasks run elsewhere (a cluster's compute node) returns {@code false}.
     *
     * @return {@code true} by default
     */
    protected boolean reportsPid() {
        return true;
    }

    @Test
    void sendsInput() {
        if (!acceptsInput()) {
            TaskHandle h = tasks.start(TaskSpec.shell("read a || echo eof").build());
            assertThrows(RuntimeException.class, () -> h.send("hello"));
            assertEquals(TaskState.SUCCEEDED, h.onExit().join().state());
            assertEquals(List.of("eof"), h.tail(5));
            return;
        }
        TaskHandle h = tasks.start(TaskSpec.shell("read a; read b; echo \"got:$a|$b\"").build());
        h.send("hello; $(touch x) C-d");
        h.send("Enter");
        TaskResult r = h.onExit().join();
        assertEquals(TaskState.SUCCEEDED, r.state());
        assertTrue(h.tail(5).contains("got:hello; $(touch x) C-d|Enter"), h.tail(5).toString());
        IllegalStateException ended = assertThrows(IllegalStateException.class, () -> h.send("late"));
        assertContains("has ended", ended.getMessage());
    }

    @Test
    void callsEachListenerExactlyOnceAlsoWhenAddedLate() {
        CompletionListener early = mock(CompletionListener.class);
        CompletionListener failing = result -> {
            throw new IllegalStateException("listener failure for the test");
        };
        CompletionListener afterFailing = mock(CompletionListener.class);
        TaskHandle h = tasks.start(TaskSpec.builder("true").build());
        h.addListener(early).addListener(failing).addListener(afterFailing);
        TaskResult r = h.onExit().join();
        CompletionListener late = mock(CompletionListener.class);
        h.addListener(late);
        verify(early, timeout(PATIENCE.toMillis())).onComplete(r);
        verify(afterFailing, timeout(PATIENCE.toMillis())).onComplete(r);
        verify(late, timeout(PATIENCE.toMillis())).onComplete(r);
        Mockito.verifyNoMoreInteractions(early, afterFailing, late);
    }

    @Test
    void onExitReturnsIndependentCopies() {
        TaskHandle h = tasks.start(TaskSpec.builder("sleep", "0.3").build());
        CompletableFuture<TaskResult> mine = h.onExit();
        assertNotSame(mine, h.onExit());
        mine.cancel(true);
        assertEquals(TaskState.SUCCEEDED, h.onExit().join().state());
    }

    @Test
    void stateAndRuntimeAreLive() {
        TaskHandle h = tasks.start(TaskSpec.builder("sleep", "30").build());
        assertEquals(TaskState.RUNNING, h.state());
        Duration first = h.runtime();
        Waits.until(PATIENCE, "the runtime to grow", () -> h.runtime().compareTo(first.plusMillis(50)) > 0,
                () -> h.runtime().toString());
        assertEquals(reportsPid(), h.pid().isPresent());
        h.stop();
        TaskResult r = h.onExit().join();
        assertEquals(TaskState.STOPPED, r.state());
        assertEquals(r.duration(), h.runtime());
    }

    @Test
    void stopEndsTheWholeTree() {
        String child = marker();
        String grandchild = marker();
        TaskHandle h = tasks.start(TaskSpec.shell("sleep " + child + " & (sleep " + grandchild + " & wait) & wait").build());
        awaitRunning(child, grandchild);
        TaskResult r = h.stop().join();
        assertEquals(TaskState.STOPPED, r.state());
        assertEquals(15, r.signal().orElse(-1), r.toString());
        awaitGone(child, grandchild);
    }

    @Test
    void killSkipsTheGracePeriod() {
        String child = marker();
        TaskHandle h = tasks.start(TaskSpec.shell("trap '' TERM; sleep " + child).build());
        awaitRunning(child);
        TaskResult r = h.kill().join();
        assertEquals(TaskState.STOPPED, r.state());
        assertEquals(9, r.signal().orElse(-1), r.toString());
        awaitGone(child);
    }

    @Test
    void timeoutStopsATreeThatIgnoresSigterm() {
        String child = marker();
        TaskHandle h = tasks.start(TaskSpec.shell("trap '' TERM; echo trapped; sleep " + child + " & wait; sleep 30")
                .timeout(Duration.ofMillis(300)).build());
        TaskResult r = h.onExit().join();
        assertEquals(TaskState.TIMED_OUT, r.state());
        if (h.tail(5).contains("trapped")) {
            assertEquals(9, r.signal().orElse(-1), "SIGTERM was ignored: SIGKILL after the grace. " + r);
        } else { // a busy machine: the timeout came before the shell had set its trap
            assertTrue(r.signal().orElse(-1) == 9 || r.signal().orElse(-1) == 15, r.toString());
        }
        assertTrue(r.duration().compareTo(Duration.ofMillis(300)) >= 0, r.toString());
        assertContains("TIMED_OUT", r.summary());
        assertContains("(limit 300 ms)", r.summary());
        awaitGone(child);
    }

    @Test
    void stopAfterTheEndChangesNothing() {
        TaskHandle h = tasks.start(TaskSpec.builder("true").build());
        TaskResult r = h.onExit().join();
        assertEquals(r, h.stop().join());
        assertEquals(r, h.kill().join());
        assertEquals(TaskState.SUCCEEDED, h.state());
    }

    @Test
    void listsFindsAndRemovesTasks() {
        TaskHandle a = tasks.start(TaskSpec.builder("true").name("alpha").build());
        TaskHandle b = tasks.start(TaskSpec.builder("sleep", "30").name("beta").build());
        assertEquals(List.of(a, b), tasks.list());
        assertEquals(b, tasks.find("beta").orElseThrow());
        assertThrows(IllegalStateException.class, () -> tasks.remove(b));
        a.onExit().join();
        tasks.remove(a);
        assertEquals(List.of(b), tasks.list());
        assertTrue(Files.exists(a.logFile()), "removing a task keeps its log");
    }

    @Test
    void rejectsADuplicateRunningName() {
        TaskHandle first = tasks.start(TaskSpec.builder("sleep", "30").name("dup").build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tasks.start(TaskSpec.builder("true").name("dup").build()));
        assertContains("'dup' is already running", e.getMessage());
        first.kill().join();
        TaskHandle second = tasks.start(TaskSpec.builder("true").name("dup").build());
        assertEquals("dup.2", second.id());
        assertEquals("dup.2.log", second.logFile().getFileName().toString());
    }

    @Test
    void rejectsBadInputWithClearMessages() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> tasks.start(TaskSpec.builder("no-such-program-xyz").build()));
        assertContains("'no-such-program-xyz' was not found on PATH", missing.getMessage());
        IllegalArgumentException noDir = assertThrows(IllegalArgumentException.class,
                () -> tasks.start(TaskSpec.builder("true").workingDirectory(dir.resolve("absent")).build()));
        assertContains("absent does not exist", noDir.getMessage());
        assertEquals(List.of(), tasks.list(), "nothing was started");
    }

    @Test
    void closeStopsRunningTasks() {
        TaskHandle h = tasks.start(TaskSpec.builder("sleep", "30").build());
        AtomicInteger calls = new AtomicInteger();
        h.addListener(r -> calls.incrementAndGet());
        tasks.close();
        assertEquals(TaskState.STOPPED, h.state());
        Waits.until(PATIENCE, "the listener's call", () -> calls.get() == 1, () -> calls.get() + " calls");
        assertThrows(IllegalStateException.class, () -> tasks.start(TaskSpec.builder("true").build()));
    }

    @Test
    void aListenerOnADirectExecutorCanStartATask() {
        // Issue 6, case 4: such a listener ran on the process backend's only reader thread, so
        // its start() waited 30 s for an answer that this very thread had to read.
        tasks.close(); // one instance per backend at a time: replaced by one with a direct executor
        tasks = BackgroundTasks.builder().backend(newBackend()).logDirectory(dir.resolve("logs")).stopGracePeriod(GRACE)
                .stopTasksOnClose(true).callbackExecutor(Runnable::run).build();
        BackgroundTasks direct = tasks;
        CompletableFuture<TaskHandle> second = new CompletableFuture<>();
        direct.start(TaskSpec.builder("true").name("first").build()).addListener(r -> {
            try {
                second.complete(direct.start(TaskSpec.builder("sh", "-c", "exit 4").name("second").build()));
            } catch (RuntimeException e) {
                second.completeExceptionally(e);
            }
        });
        TaskResult r = second.join().onExit().join();
        assertEquals(TaskState.FAILED, r.state());
        assertEquals(4, r.exitCode().getAsInt());
    }

    @Test
    void rejectsWhatLinuxCannotPassTheSameWayOnEveryBackend() {
        // Issue 6: a 200 KB variable was a TaskStartException on one backend and exit 126 on the
        // other; an unpaired surrogate became '?' on one and an encoder error on the other.
        String fits = "v".repeat(131_000);
        TaskHandle h = tasks.start(TaskSpec.shell("printf '%s' \"$BIG\" | wc -c").name("fits")
                .environment(Map.of("BIG", fits)).build());
        assertEquals(TaskState.SUCCEEDED, h.onExit().join().state(), log(h));
        assertEquals("131000", h.tail(1).get(0).trim());

        TaskSpec tooBig = TaskSpec.builder("true").name("too-big").environment(Map.of("BIG", "v".repeat(200_000))).build();
        assertContains("could not start task too-big: Argument list too long: environment variable BIG is 200,004 bytes",
                assertThrows(TaskStartException.class, () -> tasks.start(tooBig)).getMessage());
        assertContains("argv[1] has an unpaired surrogate U+D800 at index 1", assertThrows(IllegalArgumentException.class,
                () -> TaskSpec.builder("echo", "a\uD800")).getMessage());
        Map<String, String> heavy = new java.util.HashMap<>();
        for (int i = 0; i < 9; i++) {
            heavy.put("HEAVY" + i, "v".repeat(120_000));
        }
        TaskSpec tooMany = TaskSpec.builder("true").name("heavy").environment(heavy).build();
        assertContains("bgtasks passes at most 1,048,576 bytes",
                assertThrows(TaskStartException.class, () -> tasks.start(tooMany)).getMessage());
        assertTrue(tasks.find("too-big").isEmpty(), "nothing was started");
        assertTrue(tasks.find("heavy").isEmpty(), "nothing was started");
    }

    /**
     * Returns a unique {@code sleep} argument (a long duration), so a test can find its own
     * processes in the whole process table, also after they were re-parented.
     *
     * @return a new marker, see {@link ProcessMarkers#marker()}
     */
    protected static String marker() {
        return ProcessMarkers.marker();
    }

    /**
     * Waits until a process with each marker runs.
     *
     * @param markers the markers
     */
    protected static void awaitRunning(String... markers) {
        ProcessMarkers.awaitRunning(PATIENCE, markers);
    }

    /**
     * Waits until no process with any of the markers is left (group, session and orphans alike).
     *
     * @param markers the markers
     */
    protected static void awaitGone(String... markers) {
        ProcessMarkers.awaitGone(PATIENCE, markers);
    }

    /**
     * Fails unless {@code actual} contains {@code expected}.
     *
     * @param expected the expected part
     * @param actual the text, may be null (then the check fails)
     */
    protected static void assertContains(String expected, String actual) {
        assertTrue(actual != null && actual.contains(expected), "expected to contain <" + expected + "> but was <" + actual + ">");
    }

    /**
     * Fails unless {@code actual} starts with {@code expected}.
     *
     * @param expected the expected start
     * @param actual the text, may be null (then the check fails)
     */
    protected static void assertStartsWith(String expected, String actual) {
        assertTrue(actual != null && actual.startsWith(expected), "expected to start with <" + expected + "> but was <"
                + (actual == null || actual.length() < 300 ? actual : actual.substring(0, 300) + "...") + ">");
    }

    /**
     * @param h a task
     * @return the task's log as UTF-8 text, with a terminal's {@code \r\n} line ends made plain
     */
    protected static String log(TaskHandle h) {
        try {
            return Files.readString(h.logFile(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
