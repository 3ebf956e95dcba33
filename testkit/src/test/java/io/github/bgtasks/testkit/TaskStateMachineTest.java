package io.github.bgtasks.testkit;

import static io.github.bgtasks.testkit.VirtualTime.PATIENCE;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskStartException;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-task state machine, driven through a backend whose exits the test controls, in
 * virtual time: timeouts and grace periods pass when the test {@linkplain FakeScheduler#advance
 * advances} the {@link FakeTicker}, so they can be hours long and still cost nothing, and each
 * step is checked at the exact moment it is due. No outcome depends on the machine's speed:
 * waits for other threads are bounded only by {@link VirtualTime#PATIENCE}, a guard against hangs.
 */
class TaskStateMachineTest {
    @TempDir
    Path dir;
    FakeBackend backend = new FakeBackend();
    FakeTicker time = new FakeTicker();
    FakeScheduler scheduler = new FakeScheduler(time);
    BackgroundTasks tasks;

    /** A builder in this test's virtual time. */
    BackgroundTasks.Builder virtual(FakeBackend b) {
        return VirtualTime.builder(b, time, scheduler);
    }

    @BeforeEach
    void build() {
        tasks = virtual(backend).logDirectory(dir).retainFinished(2).build();
    }

    @AfterEach
    void close() {
        // Tasks left running end at their SIGTERM, and pending timers fire, so close() waits for nothing.
        backend.exitOnTerminate(true);
        scheduler.advance(Duration.ofDays(1));
        tasks.close();
    }

    private FakeBackend.FakeTask start(String name) {
        tasks.start(TaskSpec.builder("true").name(name).build());
        return backend.launched().get(backend.launched().size() - 1);
    }

    @Test
    void aNaturalExitAfterStopCountsAsStopped() {
        tasks.start(TaskSpec.builder("true").name("a").build());
        FakeBackend.FakeTask t = backend.launched().get(0);
        TaskHandle h = tasks.find("a").orElseThrow();
        h.stop();
        assertEquals(TaskState.STOPPING, h.state());
        assertEquals(1, t.terms());
        scheduler.advance(Duration.ofSeconds(9));
        t.exit().complete(ExitStatus.exited(0));
        TaskResult r = h.onExit().join();
        assertEquals(TaskState.STOPPED, r.state());
        assertEquals(0, r.exitCode().getAsInt());
        assertEquals(Duration.ofSeconds(9), r.duration());
        assertEquals(0, scheduler.pending(), "the SIGKILL timer was cancelled");
        scheduler.advance(Duration.ofHours(1));
        assertEquals(0, t.kills(), "no SIGKILL once the task has ended");
    }

    @Test
    void timeoutSendsSigtermThenSigkillAfterTheGrace() {
        tasks.start(TaskSpec.builder("true").name("slow").timeout(Duration.ofHours(2))
                .stopGracePeriod(Duration.ofMinutes(1)).build());
        FakeBackend.FakeTask t = backend.launched().get(0);
        TaskHandle h = tasks.find("slow").orElseThrow();
        scheduler.advance(Duration.ofHours(2).minusNanos(1));
        assertEquals(TaskState.RUNNING, h.state());
        assertEquals(0, t.terms(), "no SIGTERM before the timeout");
        scheduler.advance(Duration.ofNanos(1));
        assertEquals(TaskState.STOPPING, h.state());
        assertEquals(1, t.terms(), "SIGTERM exactly at the timeout");
        scheduler.advance(Duration.ofMinutes(1).minusNanos(1));
        assertEquals(0, t.kills(), "no SIGKILL before the grace period is over");
        scheduler.advance(Duration.ofNanos(1));
        TaskResult r = h.onExit().join();
        assertEquals(TaskState.TIMED_OUT, r.state());
        assertEquals(1, t.terms());
        assertEquals(1, t.kills());
        assertEquals(9, r.signal().getAsInt());
        assertEquals(Duration.ofMinutes(121), r.duration());
        assertTrue(r.summary().contains("(limit 2h 00m 00s)"), r.summary());
    }

    @Test
    void aFailingTerminateStillEscalatesToKill() {
        backend.failTerminate(true);
        FakeBackend.FakeTask t = start("stubborn");
        CompletableFuture<TaskResult> stopped = tasks.find("stubborn").orElseThrow().stop();
        assertEquals(0, t.kills());
        scheduler.advance(Duration.ofSeconds(10)); // the default grace period
        TaskResult r = stopped.join();
        assertEquals(TaskState.STOPPED, r.state());
        assertEquals(1, t.kills());
    }

    @Test
    void aBackendTimedOutExitIsTimedOut() {
        FakeBackend.FakeTask t = start("tmuxlike");
        t.exit().complete(ExitStatus.signaled(15).asTimedOut());
        assertEquals(TaskState.TIMED_OUT, tasks.find("tmuxlike").orElseThrow().onExit().join().state());
    }

    @Test
    void aLostTaskIsLostWithItsReason() {
        FakeBackend.FakeTask t = start("gone");
        t.exit().complete(ExitStatus.lost("the tmux server died"));
        TaskResult r = tasks.find("gone").orElseThrow().onExit().join();
        assertEquals(TaskState.LOST, r.state());
        assertTrue(r.summary().startsWith("gone LOST (the tmux server died) in "), r.summary());
        assertTrue(r.exitCode().isEmpty() && r.signal().isEmpty());
    }

    @RepeatedTest(20)
    void racingExitStopKillAndTimeoutEndOnceWithEveryListenerCalledOnce() throws Exception {
        tasks.start(TaskSpec.builder("true").name("race").timeout(Duration.ofMinutes(1)).build());
        FakeBackend.FakeTask t = backend.launched().get(0);
        TaskHandle h = tasks.find("race").orElseThrow();
        AtomicInteger calls = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        for (int i = 0; i < 8; i++) {
            int n = i;
            pool.execute(() -> {
                awaitLatch(go);
                h.addListener(r -> calls.incrementAndGet());
                switch (n % 4) {
                    case 0 -> t.exit().complete(ExitStatus.exited(0));
                    case 1 -> h.stop();
                    case 2 -> h.kill();
                    default -> {
                        h.addListener(r -> calls.incrementAndGet());
                        scheduler.advance(Duration.ofMinutes(1)); // the timeout fires, racing the others
                    }
                }
            });
        }
        go.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        TaskResult r = h.onExit().join();
        assertTrue(r.state().isTerminal());
        await().atMost(PATIENCE).untilAtomic(calls, org.hamcrest.Matchers.equalTo(10));
        assertEquals(r, h.onExit().join());
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void keepsOnlyTheNewestFinishedTasksAndReleasesTheOthers() {
        for (String name : List.of("one", "two", "three")) {
            start(name).exit().complete(ExitStatus.exited(0));
            tasks.find(name).orElseThrow().onExit().join();
        }
        start("running");
        assertEquals(List.of("two", "three", "running"), tasks.list().stream().map(TaskHandle::name).toList());
        assertEquals(1, backend.launched().get(0).releases());
    }

    @Test
    void adoptsDiscoveredTasksAndReservesTheirNames() throws Exception {
        FakeBackend other = new FakeBackend();
        other.exitOnTerminate(true); // so that close() at the end ends web.8 at once
        Launch earlier = Launch.builder("web.7", "web", List.of("server")).workingDirectory(dir)
                .environment(Map.of()).logFile(dir.resolve("web.7.log"))
                .startedAt(time.clock().instant().minusSeconds(60)).build();
        other.addDiscoverable(other.launch(earlier));
        try (BackgroundTasks adopted = virtual(other).logDirectory(dir).build()) {
            TaskHandle web = adopted.find("web").orElseThrow();
            assertEquals("web.7", web.id());
            assertEquals(Duration.ofSeconds(60), web.runtime(), "counted from its start in the earlier JVM");
            scheduler.advance(Duration.ofSeconds(5));
            assertEquals(Duration.ofSeconds(65), web.runtime());
            IllegalArgumentException dup = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> adopted.start(TaskSpec.builder("true").name("web").build()));
            assertTrue(dup.getMessage().contains("'web' is already running (web.7)"), dup.getMessage());
            other.launched().get(0).exit().complete(ExitStatus.exited(3));
            assertEquals(TaskState.FAILED, web.onExit().join().state());
            assertEquals("web.8", adopted.start(TaskSpec.builder("true").name("web").build()).id(),
                    "a new run never reuses an adopted run's id");
        }
    }

    @Test
    void closeWaitsForALaunchInFlightAndStopsThatTaskToo() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        backend.launchGate(gate);
        CompletableFuture<TaskHandle> starting = CompletableFuture.supplyAsync(
                () -> tasks.start(TaskSpec.builder("true").name("late").build()));
        await().atMost(PATIENCE).until(() -> backend.launchesEntered() == 1);
        CompletableFuture<Void> closing = new CompletableFuture<>();
        Thread closer = new Thread(() -> {
            tasks.close();
            closing.complete(null);
        }, "closer");
        closer.start();
        // close() waits on the task map for the launch: a state that no speed of the machine changes.
        await().atMost(PATIENCE).until(() -> closer.getState() == Thread.State.WAITING);
        assertTrue(!closing.isDone(), "close() waits while a launch is in flight");
        gate.countDown();
        // close() stops the task that came in late: SIGTERM, then SIGKILL after the grace period.
        await().atMost(PATIENCE).until(() -> backend.launched().size() == 1 && backend.launched().get(0).terms() == 1);
        scheduler.advance(Duration.ofSeconds(10));
        closing.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        TaskHandle late = starting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(TaskState.STOPPED, late.state(), "a task whose launch raced close() was stopped, not left behind");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> tasks.start(TaskSpec.builder("true").build()));
    }

    @Test
    void aThrowingListenerIsLoggedAtWarnWithTheTaskAndHarmsNothingElse() {
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            FakeBackend.FakeTask t = start("noisy");
            TaskHandle h = tasks.find("noisy").orElseThrow();
            AtomicInteger after = new AtomicInteger();
            h.addListener(r -> {
                throw new IllegalStateException("boom from a listener");
            }).addListener(r -> after.incrementAndGet());
            t.exit().complete(ExitStatus.exited(0));
            assertEquals(TaskState.SUCCEEDED, h.onExit().join().state());
            assertEquals(1, after.get(), "the next listener still ran, before onExit() completed");
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(log.contains("WARN") && log.contains("of task noisy.1 failed")
                && log.contains("boom from a listener"), log);
    }

    @Test
    void aTaskLeftRunningByCloseCanStillBeStopped() {
        FakeBackend keeping = new FakeBackend();
        BackgroundTasks leaving = BackgroundTasks.builder().backend(keeping).logDirectory(dir)
                .stopTasksOnClose(false).build();
        TaskHandle h = leaving.start(TaskSpec.builder("true").name("survivor").timeout(Duration.ofHours(1)).build());
        leaving.close();
        assertEquals(TaskState.RUNNING, h.state());
        h.stop();
        assertEquals(1, keeping.launched().get(0).terms(), "SIGTERM is still sent");
        keeping.launched().get(0).exit().complete(ExitStatus.signaled(15));
        assertEquals(TaskState.STOPPED, h.onExit().join().state());
    }

    @Test
    void listenersAndFuturesNeverRunOnTheThreadThatReportedTheExit() throws Exception {
        // Issue 6, case 4: with a direct callback executor, a listener ran on the process
        // backend's single reader thread, and a start() from it waited for that very thread.
        backend.exitOnTerminate(true); // so that close() at the end ends the second task at once
        try (BackgroundTasks direct = virtual(backend).logDirectory(dir.resolve("direct"))
                .callbackExecutor(Runnable::run).build()) {
            TaskHandle first = direct.start(TaskSpec.builder("true").name("first").build());
            FakeBackend.FakeTask t = backend.launched().get(0);
            CompletableFuture<Thread> listenerThread = new CompletableFuture<>();
            CompletableFuture<TaskHandle> startedByListener = new CompletableFuture<>();
            first.addListener(r -> {
                listenerThread.complete(Thread.currentThread());
                try {
                    startedByListener.complete(direct.start(TaskSpec.builder("true").name("second").build()));
                } catch (RuntimeException e) {
                    startedByListener.completeExceptionally(e);
                }
            });
            CompletableFuture<Thread> dependentThread = first.onExit().thenApply(r -> Thread.currentThread());

            Thread reader = new Thread(() -> t.exit().complete(ExitStatus.exited(0)), "fake-backend-reader");
            reader.start();
            reader.join();

            Thread ran = listenerThread.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertNotSame(reader, ran, "the listener ran on the backend's thread");
            assertTrue(ran.getName().startsWith("bgtasks-events"), ran.getName());
            assertNotSame(reader, dependentThread.get(PATIENCE.toSeconds(), TimeUnit.SECONDS),
                    "a stage of onExit() ran on the backend's thread");
            assertEquals("second", startedByListener.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).name());
        }
    }

    @Test
    void withTheDefaultPoolAnEndGoesStraightToACallbackThread() throws Exception {
        // The start-rate regression: each end went backend thread -> bgtasks-events ->
        // bgtasks-callback, two wake-ups of parked threads where one keeps every guarantee.
        List<Thread> eventThreadsBefore = eventThreads();
        TaskHandle h = tasks.start(TaskSpec.builder("true").name("hop").build());
        CompletableFuture<Thread> listenerThread = new CompletableFuture<>();
        h.addListener(r -> listenerThread.complete(Thread.currentThread()));
        Thread reader = new Thread(() -> backend.launched().get(0).exit().complete(ExitStatus.exited(0)),
                "fake-backend-reader");
        reader.start();
        reader.join();

        Thread ran = listenerThread.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertTrue(ran.getName().startsWith("bgtasks-callback"), ran.getName());
        assertEquals(TaskState.SUCCEEDED, h.onExit().join().state());
        List<Thread> started = eventThreads().stream().filter(t -> !eventThreadsBefore.contains(t)).toList();
        assertEquals(List.of(), started, "no event thread is started with the default pool");
    }

    /** @return the event threads of every instance in this JVM (those of other tests may still end) */
    private static List<Thread> eventThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("bgtasks-events")).toList();
    }

    @Test
    void aReleaseThatThrowsStillCompletesTheTaskAndCallsItsListeners() throws Exception {
        backend.failRelease(true);
        try (BackgroundTasks forgetful = BackgroundTasks.builder().backend(backend).logDirectory(dir.resolve("f"))
                .retainFinished(0).build()) {
            TaskHandle h = forgetful.start(TaskSpec.builder("true").name("forgotten").build());
            AtomicInteger calls = new AtomicInteger();
            h.addListener(r -> calls.incrementAndGet());
            backend.launched().get(0).exit().complete(ExitStatus.exited(0));
            assertEquals(TaskState.SUCCEEDED, h.onExit().get(PATIENCE.toSeconds(), TimeUnit.SECONDS).state());
            assertEquals(1, calls.get(), "listeners run before onExit() completes");
            assertEquals(1, backend.launched().get(0).releases(), "the finished task was released (and threw)");
            assertTrue(forgetful.list().isEmpty());
        }
    }

    @Test
    void aLogThatCannotBeCreatedIsATaskStartExceptionNamingThePathAndTheCause() throws Exception {
        Path logs = dir.resolve("vanishing");
        try (BackgroundTasks t = BackgroundTasks.builder().backend(backend).logDirectory(logs).build()) {
            Files.delete(logs);
            TaskStartException e = assertThrows(TaskStartException.class,
                    () -> t.start(TaskSpec.builder("true").name("orphan").build()));
            assertTrue(e.getMessage().startsWith("could not create the log file of task orphan in " + logs
                    + ": no such file or directory; check that the directory exists"), e.getMessage());
            assertTrue(backend.launched().isEmpty(), "nothing was launched");
            assertTrue(t.find("orphan").isEmpty());
        }
    }

    @Test
    void aStartFailureShortensLongValuesInItsMessage() {
        String huge = "x".repeat(100_000);
        backend.failLaunch(new java.io.IOException("Argument list too long: " + huge));
        List<String> argv = new java.util.ArrayList<>(List.of("true", huge));
        for (int i = 0; i < 30; i++) {
            argv.add("arg" + i);
        }
        TaskStartException e = assertThrows(TaskStartException.class,
                () -> tasks.start(TaskSpec.builder(argv).name("wordy").build()));
        String m = e.getMessage();
        assertTrue(m.length() < 2_000, "message of " + m.length() + " chars");
        assertTrue(m.startsWith("could not start task wordy [true, " + "x".repeat(200) + "...(99,800 more chars), arg0,"), m);
        assertTrue(m.contains(", arg17, ...(12 more arguments)] in "), m);
        assertTrue(m.contains("backend: Argument list too long: xxx"), m);
        assertTrue(m.endsWith("...(99,024 more chars)"), m);
        assertEquals(100_024, e.getCause().getMessage().length(), "the cause keeps the whole text");
    }

    @Test
    void whatLinuxCannotPassIsArgumentListTooLongAtStartWithoutLaunching() throws Exception {
        // MAX_ARG_STRLEN is 131,072 bytes with the final NUL, counted in UTF-8.
        tasks.start(TaskSpec.builder("echo", "a".repeat(131_071)).name("longest").build());
        assertTooLong("could not start task echo: Argument list too long: argv[1] is 131,072 bytes long in UTF-8, and "
                + "Linux passes at most 131,071 bytes per argument (MAX_ARG_STRLEN); pass large data in a file or on "
                + "standard input", TaskSpec.builder("echo", "a".repeat(131_072)));
        assertTooLong("could not start task e: Argument list too long: argv[1] is 131,073 bytes long in UTF-8",
                TaskSpec.builder("echo", "\u00e9".repeat(65_536) + "a").name("e"));

        tasks.start(TaskSpec.builder("true").name("widest").environment(Map.of("V", "v".repeat(131_069))).build());
        assertTooLong("could not start task v: Argument list too long: environment variable V is 131,072 bytes long as "
                + "NAME=value in UTF-8, and Linux passes at most 131,071 bytes per variable (MAX_ARG_STRLEN)",
                TaskSpec.builder("true").name("v").environment(Map.of("V", "v".repeat(131_070))));

        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 9; i++) {
            env.put("BIG" + i, "v".repeat(120_000)); // each fits one variable's limit; together they do not
        }
        env.put("HUGE", "h".repeat(125_000));
        assertTooLong("the largest is environment variable HUGE with 125,014), and bgtasks passes at most 1,048,576 "
                + "bytes (1 MiB, half of Linux's usual ARG_MAX) so that every backend can start the task; pass large "
                + "data in a file or on standard input", TaskSpec.builder("true").name("heavy").environment(env));
        assertEquals(2, backend.launched().size(), "only the two that fit were launched");
        try (var files = Files.list(dir)) {
            assertEquals(List.of("longest.1.log", "widest.1.log"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no log is left of a refused start");
        }
    }

    private void assertTooLong(String expected, TaskSpec.Builder spec) {
        TaskSpec built = spec.build();
        TaskStartException e = assertThrows(TaskStartException.class, () -> tasks.start(built));
        assertTrue(e.getMessage().startsWith(expected) || e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void anInterruptedLaunchLeavesNothingRegistered() throws Exception {
        backend.launchGate(new CountDownLatch(1));
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                tasks.start(TaskSpec.builder("true").name("cut").build());
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        }, "starter");
        starter.start();
        await().atMost(PATIENCE).until(() -> backend.launchesEntered() == 1);
        starter.interrupt();
        Throwable e = outcome.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertTrue(e instanceof TaskStartException, String.valueOf(e));
        assertTrue(e.getMessage().contains("interrupted while launching cut.1"), e.getMessage());
        assertNothingLeftOf("cut");
    }

    @Test
    void aLaunchThatThrowsAnErrorLeavesNothingRegisteredAndCloseDoesNotWaitForIt() throws Exception {
        // Before: only IOException and RuntimeException were cleaned up; an Error left the name
        // taken and the launch counted as in flight, so close() waited for it forever.
        backend.launchError(new AssertionError("a backend bug, for the test"));
        AssertionError e = assertThrows(AssertionError.class, () -> tasks.start(TaskSpec.builder("true").name("bug").build()));
        assertEquals("a backend bug, for the test", e.getMessage());
        assertNothingLeftOf("bug");
        backend.exitOnTerminate(true); // the second "bug" ends at its SIGTERM: close() waits for no grace period
        CompletableFuture<Void> closing = CompletableFuture.runAsync(tasks::close);
        closing.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    private void assertNothingLeftOf(String name) throws Exception {
        assertTrue(tasks.find(name).isEmpty(), "not listed");
        assertTrue(tasks.list().isEmpty(), "not listed");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.toList(), "no log is left");
        }
        backend.launchGate(null);
        backend.launchError(null);
        assertEquals(name, tasks.start(TaskSpec.builder("true").name(name).build()).name(), "the name is free again");
    }
}
