package io.github.bgtasks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
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

/** The per-task state machine, driven through a backend whose exits the test controls. */
class TaskStateMachineTest {
    @TempDir
    Path dir;
    FakeBackend backend = new FakeBackend();
    BackgroundTasks tasks;

    @BeforeEach
    void build() {
        tasks = BackgroundTasks.builder().backend(backend).logDirectory(dir).stopGracePeriod(Duration.ofMillis(200))
                .retainFinished(2).build();
    }

    @AfterEach
    void close() {
        tasks.close();
    }

    private FakeBackend.FakeTask start(String name) {
        tasks.start(TaskSpec.builder("true").name(name).build());
        return backend.launched.get(backend.launched.size() - 1);
    }

    @Test
    void aNaturalExitAfterStopCountsAsStopped() {
        FakeBackend.FakeTask t = start("a");
        TaskHandle h = tasks.find("a").orElseThrow();
        h.stop();
        assertEquals(TaskState.STOPPING, h.state());
        assertEquals(1, t.terms.get());
        t.exit.complete(ExitStatus.exited(0));
        TaskResult r = h.onExit().join();
        assertEquals(TaskState.STOPPED, r.state());
        assertEquals(0, r.exitCode().getAsInt());
        assertEquals(0, t.kills.get(), "no SIGKILL once the task has ended");
    }

    @Test
    void timeoutSendsSigtermThenSigkillAfterTheGrace() {
        tasks.start(TaskSpec.builder("true").name("slow").timeout(Duration.ofMillis(50)).build());
        FakeBackend.FakeTask t = backend.launched.get(0);
        TaskResult r = tasks.find("slow").orElseThrow().onExit().join();
        assertEquals(TaskState.TIMED_OUT, r.state());
        assertEquals(1, t.terms.get());
        assertEquals(1, t.kills.get());
        assertEquals(9, r.signal().getAsInt());
    }

    @Test
    void aFailingTerminateStillEscalatesToKill() {
        backend.failTerminate = true;
        FakeBackend.FakeTask t = start("stubborn");
        TaskResult r = tasks.find("stubborn").orElseThrow().stop().join();
        assertEquals(TaskState.STOPPED, r.state());
        assertEquals(1, t.kills.get());
    }

    @Test
    void aBackendTimedOutExitIsTimedOut() {
        FakeBackend.FakeTask t = start("tmuxlike");
        t.exit.complete(ExitStatus.signaled(15).asTimedOut());
        assertEquals(TaskState.TIMED_OUT, tasks.find("tmuxlike").orElseThrow().onExit().join().state());
    }

    @Test
    void aLostTaskIsLostWithItsReason() {
        FakeBackend.FakeTask t = start("gone");
        t.exit.complete(ExitStatus.lost("the tmux server died"));
        TaskResult r = tasks.find("gone").orElseThrow().onExit().join();
        assertEquals(TaskState.LOST, r.state());
        assertTrue(r.summary().startsWith("gone LOST (the tmux server died) in "), r.summary());
        assertTrue(r.exitCode().isEmpty() && r.signal().isEmpty());
    }

    @RepeatedTest(20)
    void racingExitStopKillAndTimeoutEndOnceWithEveryListenerCalledOnce() throws Exception {
        tasks.start(TaskSpec.builder("true").name("race").timeout(Duration.ofMillis(1)).build());
        FakeBackend.FakeTask t = backend.launched.get(0);
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
                    case 0 -> t.exit.complete(ExitStatus.exited(0));
                    case 1 -> h.stop();
                    case 2 -> h.kill();
                    default -> h.addListener(r -> calls.incrementAndGet());
                }
            });
        }
        go.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        TaskResult r = h.onExit().join();
        assertTrue(r.state().isTerminal());
        await().atMost(Duration.ofSeconds(5)).untilAtomic(calls, org.hamcrest.Matchers.equalTo(10));
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
            start(name).exit.complete(ExitStatus.exited(0));
            tasks.find(name).orElseThrow().onExit().join();
        }
        start("running");
        assertEquals(List.of("two", "three", "running"), tasks.list().stream().map(TaskHandle::name).toList());
        assertEquals(1, backend.launched.get(0).releases.get());
    }

    @Test
    void adoptsDiscoveredTasksAndReservesTheirNames() {
        FakeBackend other = new FakeBackend();
        Launch earlier = Launch.builder("web.7", "web", List.of("server")).workingDirectory(dir)
                .environment(Map.of()).logFile(dir.resolve("web.7.log")).startedAt(Instant.now().minusSeconds(60))
                .build();
        other.discoverable.add(other.launch(earlier));
        try (BackgroundTasks adopted = BackgroundTasks.builder().backend(other).logDirectory(dir).build()) {
            TaskHandle web = adopted.find("web").orElseThrow();
            assertEquals("web.7", web.id());
            assertTrue(web.runtime().compareTo(Duration.ofSeconds(59)) > 0, web.runtime().toString());
            IllegalArgumentException dup = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> adopted.start(TaskSpec.builder("true").name("web").build()));
            assertTrue(dup.getMessage().contains("'web' is already running (web.7)"), dup.getMessage());
            other.launched.get(0).exit.complete(ExitStatus.exited(3));
            assertEquals(TaskState.FAILED, web.onExit().join().state());
            assertEquals("web.8", adopted.start(TaskSpec.builder("true").name("web").build()).id(),
                    "a new run never reuses an adopted run's id");
        }
    }

    @Test
    void closeWaitsForALaunchInFlightAndStopsThatTaskToo() throws Exception {
        backend.launchGate = new CountDownLatch(1);
        CompletableFuture<TaskHandle> starting = CompletableFuture.supplyAsync(
                () -> tasks.start(TaskSpec.builder("true").name("late").build()));
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.launchesEntered.get() == 1);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(tasks::close);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !closing.isDone());
        backend.launchGate.countDown();
        closing.get(10, TimeUnit.SECONDS);
        TaskHandle late = starting.get(5, TimeUnit.SECONDS);
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
            t.exit.complete(ExitStatus.exited(0));
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
        assertEquals(1, keeping.launched.get(0).terms.get(), "SIGTERM is still sent");
        keeping.launched.get(0).exit.complete(ExitStatus.signaled(15));
        assertEquals(TaskState.STOPPED, h.onExit().join().state());
    }
}
