package io.github.bgtasks.testkit;

import static io.github.bgtasks.testkit.VirtualTime.patiently;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.Alert;
import io.github.bgtasks.health.CheckResult;
import io.github.bgtasks.health.Health;
import io.github.bgtasks.health.HealthCheck;
import io.github.bgtasks.health.Hint;
import io.github.bgtasks.health.Hints;
import io.github.bgtasks.health.NotReadyException;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.spi.ExitStatus;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health checks, readiness and alerts in virtual time (issue 9): periods, timeouts, thresholds
 * and deadlines pass when the test advances the {@link FakeScheduler}. Checks run on the
 * engine's pool, so each step waits (bounded only by a patience against hangs) for the run to
 * be recorded and the next one to be scheduled.
 */
class HealthEngineTest {
    static final Duration PERIOD = Duration.ofMinutes(5);

    @TempDir
    Path dir;
    FakeBackend backend = new FakeBackend();
    FakeTicker time = new FakeTicker();
    FakeScheduler scheduler = new FakeScheduler(time);
    List<Alert> alerts = new CopyOnWriteArrayList<>();
    AtomicInteger throwingListenerCalls = new AtomicInteger();
    BackgroundTasks tasks;

    @BeforeEach
    void build() {
        tasks = VirtualTime.builder(backend, time, scheduler)
                .logDirectory(dir)
                .alertListener(a -> {
                    throwingListenerCalls.incrementAndGet();
                    throw new IllegalStateException("a listener that throws");
                })
                .alertListener(alerts::add).build();
    }

    @AfterEach
    void close() {
        backend.exitOnTerminate(true);
        scheduler.advance(Duration.ofDays(1));
        tasks.close();
    }

    /** A check that answers from a queue and counts its runs. */
    static final class Scripted implements Supplier<CheckResult> {
        final BlockingQueue<CheckResult> answers = new LinkedBlockingQueue<>();
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public CheckResult get() {
            runs.incrementAndGet();
            CheckResult r = answers.poll();
            if (r == null) {
                throw new IllegalStateException("no answer scripted");
            }
            return r;
        }
    }

    /** Advances one period and waits until run {@code n} is recorded and the next is scheduled. */
    private void step(Scripted s, int n) {
        scheduler.advance(PERIOD);
        patiently().until(() -> s.runs.get() == n && scheduler.pending() == 1);
    }

    @Test
    void thresholdsDecideTheTransitionsAndEachRaisesOneAlert() {
        Scripted s = new Scripted();
        TaskHandle h = tasks.start(TaskSpec.builder("true").name("web").healthCheck(HealthCheck.custom("api", s)
                .every(PERIOD).failureThreshold(2).successThreshold(2)).build());
        assertEquals(Health.State.UNKNOWN, h.health().state());
        s.answers.add(CheckResult.healthy("fine 1"));
        step(s, 1);
        assertEquals(Health.State.HEALTHY, h.health().state());
        s.answers.add(CheckResult.unhealthy("bad 2", "evidence 2"));
        step(s, 2);
        assertEquals(Health.State.HEALTHY, h.health().state(), "one failure is below the threshold");
        s.answers.add(CheckResult.unhealthy("bad 3", "evidence 3"));
        step(s, 3);
        patiently().until(() -> alerts.size() == 1);
        Alert a = alerts.get(0);
        assertEquals(Alert.Kind.UNHEALTHY, a.kind());
        assertEquals("web.1", a.taskId());
        assertEquals("api", a.check());
        assertEquals("check 'api' is unhealthy: bad 3", a.message());
        assertEquals(List.of("evidence 3"), a.evidence());
        assertEquals(Health.State.UNHEALTHY, h.health().state());
        assertEquals(List.of("api: bad 3", "api: evidence 3"), h.health().evidence());
        s.answers.add(CheckResult.unhealthy("bad 4"));
        step(s, 4);
        s.answers.add(CheckResult.healthy("fine 5"));
        step(s, 5);
        assertEquals(Health.State.UNHEALTHY, h.health().state(), "one success is below the threshold");
        s.answers.add(CheckResult.healthy("fine 6"));
        step(s, 6);
        patiently().until(() -> alerts.size() == 2);
        assertEquals(Alert.Kind.RECOVERED, alerts.get(1).kind());
        assertEquals(Health.State.HEALTHY, h.health().state());
        assertEquals(2, throwingListenerCalls.get(), "the throwing listener was called each time, and harmed nothing");
    }

    @Test
    void aCheckThatThrowsIsUnhealthyWithTheExceptionAndTheChecksGoOn() {
        Scripted s = new Scripted(); // nothing scripted: every run throws
        TaskHandle h = tasks.start(TaskSpec.builder("true").healthCheck(HealthCheck.custom("db", s).every(PERIOD)).build());
        step(s, 1);
        patiently().until(() -> alerts.size() == 1);
        assertTrue(alerts.get(0).message().contains("check 'db' threw java.lang.IllegalStateException: no answer scripted"),
                alerts.get(0).message());
        step(s, 2);
        s.answers.add(CheckResult.healthy("back"));
        step(s, 3);
        patiently().until(() -> alerts.size() == 2);
        assertEquals(Health.State.HEALTHY, h.health().state());
    }

    @Test
    void aHungCheckIsCutByItsTimeoutAndDelaysNoOtherCheck() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Scripted other = new Scripted();
        try {
            TaskHandle h = tasks.start(TaskSpec.builder("true")
                    .healthCheck(HealthCheck.custom("hung", () -> {
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return CheckResult.healthy("late");
                    }).every(PERIOD).timeout(Duration.ofSeconds(10)))
                    .healthCheck(HealthCheck.custom("other", other).every(PERIOD))
                    .build());
            other.answers.add(CheckResult.healthy("fine"));
            scheduler.advance(PERIOD);
            patiently().until(() -> other.runs.get() == 1 && h.health().checks().get("other").isHealthy());
            scheduler.advance(Duration.ofSeconds(10));
            patiently().until(() -> h.health().state() == Health.State.UNHEALTHY);
            assertEquals("check 'hung' timed out after 10.0 s", h.health().checks().get("hung").message());
        } finally {
            release.countDown();
        }
    }

    @Test
    void newErrorsReportsOnlyLinesSinceTheLastRunWithTheirNumbers() throws Exception {
        TaskHandle h = tasks.start(TaskSpec.builder("true").healthCheck(HealthCheck.newErrors().every(PERIOD)).build());
        Path log = h.logFile();
        append(log, "starting\nERROR: first\nfine\n");
        scheduler.advance(PERIOD);
        patiently().until(() -> alerts.size() == 1 && scheduler.pending() == 1);
        assertEquals(List.of("line 2: ERROR: first"), alerts.get(0).evidence());
        assertEquals(List.of("starting", "ERROR: first", "fine"), alerts.get(0).logLines());
        append(log, "more\nfatal: second\n");
        scheduler.advance(PERIOD);
        // the first run's result also says "1 new error line": wait for the second run's evidence
        patiently().until(() -> h.health().checks().get("newErrors").evidence().equals(List.of("line 5: fatal: second")));
        assertTrue(h.health().checks().get("newErrors").message().startsWith("1 new error line"));
        assertEquals(1, alerts.size(), "still unhealthy: no second alert");
    }

    /**
     * A task that ends before its supervisor starts (a quick task, its end already there when it
     * is watched) still gets its readiness decided at once, never left open: seen in a Maven build
     * whose task printed its ready line and exited within 14 ms.
     */
    @Test
    void readinessIsDecidedForATaskThatEndsBeforeItsChecksStart() throws Exception {
        FakeBackend instant = new FakeBackend() {
            @Override
            public io.github.bgtasks.spi.BackendTask launch(io.github.bgtasks.spi.Launch launch) throws java.io.IOException {
                FakeTask t = (FakeTask) super.launch(launch);
                Files.writeString(launch.logFile(), "Listening\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                t.exit().complete(ExitStatus.exited(0));
                return t;
            }
        };
        try (BackgroundTasks quick = VirtualTime.builder(instant, time, scheduler).logDirectory(dir.resolve("quick")).build()) {
            for (int i = 0; i < 50; i++) {
                TaskHandle h = quick.start(TaskSpec.builder("true").name("quick-" + i)
                        .readiness(Readiness.logLine(Pattern.compile("Listening")), Duration.ofMinutes(1)).build());
                // no virtual time passes: only the end (and a last look at the log) can decide it
                patiently().until(() -> h.onReady().isDone());
            }
        }
    }

    private static void append(Path log, String text) throws Exception {
        Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    @Test
    void readinessCompletesWhenItHoldsAndFailsAtTheDeadline() throws Exception {
        TaskHandle ready = tasks.start(TaskSpec.builder("true").name("a")
                .readiness(Readiness.logLine(Pattern.compile("Listening")), Duration.ofMinutes(1)).build());
        TaskHandle late = tasks.start(TaskSpec.builder("true").name("b")
                .readiness(Readiness.logLine(Pattern.compile("Listening")), Duration.ofMinutes(1)).build());
        append(late.logFile(), "still booting\n");
        scheduler.advance(Duration.ofSeconds(1));
        append(ready.logFile(), "Listening on 8080\n");
        for (int i = 0; i < 10 && !ready.onReady().isDone(); i++) {
            scheduler.advance(Duration.ofMillis(100));
            patiently().until(() -> ready.onReady().isDone() || scheduler.pending() >= 3);
        }
        assertEquals(ready, ready.onReady().join());
        assertTrue(!late.onReady().isDone());
        scheduler.advance(Duration.ofMinutes(1));
        CompletionException e = assertThrows(CompletionException.class, () -> late.onReady().join());
        NotReadyException nr = assertInstanceOf(NotReadyException.class, e.getCause());
        assertTrue(nr.getMessage().startsWith("task b.1 was not ready within 1m 00s; still waiting for log line /Listening/"),
                nr.getMessage());
        assertEquals(List.of("still booting"), nr.lastLines());
    }

    @Test
    void readinessFailsAtOnceWhenTheTaskEndsFirst() {
        TaskHandle h = tasks.start(TaskSpec.builder("true").name("c")
                .readiness(Readiness.custom("db", () -> CheckResult.unhealthy("no connection")), Duration.ofHours(1)).build());
        backend.launched().get(0).exit().complete(ExitStatus.exited(1));
        CompletionException e = assertThrows(CompletionException.class, () -> h.onReady().join());
        assertTrue(e.getCause().getMessage().contains("still waiting for db (no connection)"), e.getCause().getMessage());
        patiently().until(() -> alerts.size() == 1);
        assertEquals(Alert.Kind.FAILED, alerts.get(0).kind());
    }

    @Test
    void aTaskWithoutReadinessIsReadyWhenStarted() {
        TaskHandle h = tasks.start(TaskSpec.builder("true").build());
        assertEquals(h, h.onReady().join());
        assertEquals(Health.State.UNKNOWN, h.health().state());
    }

    @Test
    void aliveRaisesAnAlertWhenATaskMeantToRunEnds() {
        TaskHandle h = tasks.start(TaskSpec.builder("true").healthCheck(HealthCheck.alive().every(PERIOD)).build());
        backend.launched().get(0).exit().complete(ExitStatus.exited(0));
        patiently().until(() -> alerts.size() == 1);
        assertEquals(Alert.Kind.UNHEALTHY, alerts.get(0).kind());
        assertEquals("alive", alerts.get(0).check());
        assertEquals(Health.State.UNHEALTHY, h.health().state());
    }

    @Test
    void badInputIsRefusedAtBuildTimeNamingTheValue() {
        assertMessage("health check period must be positive, was PT0S", () -> HealthCheck.alive().every(Duration.ZERO));
        assertMessage("health check timeout must be positive, was PT-1S", () -> HealthCheck.alive().timeout(Duration.ofSeconds(-1)));
        assertMessage("failure threshold must be at least 1, was 0", () -> HealthCheck.alive().failureThreshold(0));
        assertMessage("success threshold must be at least 1, was -2", () -> HealthCheck.alive().successThreshold(-2));
        assertMessage("port must be between 1 and 65535, was 70000", () -> HealthCheck.tcp(70000));
        assertMessage("port must be between 1 and 65535, was 0", () -> Readiness.port(0));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HealthCheck.http("http://bad host/"))
                .getMessage().startsWith("URL 'http://bad host/' is malformed"));
        assertMessage("URL 'localhost:8000' must be absolute, http:// or https://, with a host, such as http://127.0.0.1:8000/",
                () -> HealthCheck.http(URI.create("localhost:8000")));
        assertMessage("readiness deadline must be positive, was PT0S",
                () -> TaskSpec.builder("x").readiness(Readiness.port(80), Duration.ZERO));
        assertMessage("resident memory limit must be positive, was 0", () -> HealthCheck.resources().maxResidentMemory(0));
        assertMessage("a health check named 'alive' was already added; each check of a task needs its own name",
                () -> TaskSpec.builder("x").healthCheck(HealthCheck.alive()).healthCheck(HealthCheck.alive()));
    }

    private static void assertMessage(String expected, Runnable r) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, r::run).getMessage());
    }

    @Test
    void aFailedTaskCarriesAHintAndRaisesAFailureAlert() {
        TaskHandle h = tasks.start(TaskSpec.builder("true").name("oom").build());
        backend.launched().get(0).exit().complete(ExitStatus.signaled(9));
        String hint = h.onExit().join().hint().orElseThrow();
        assertTrue(hint.startsWith("killed by SIGKILL, which bgtasks did not send"), hint);
        patiently().until(() -> alerts.size() == 1);
        assertEquals(Optional.of(hint), alerts.get(0).hint());
        assertEquals("exit", alerts.get(0).check());
    }

    @Test
    void theDefaultHintsKnowTheCommonCauses() {
        Hints hints = Hints.defaults();
        assertEquals(Optional.empty(), hints.explain(facts(OptionalInt.of(1), OptionalInt.empty(), false, List.of("boom"))));
        assertTrue(hints.explain(facts(OptionalInt.of(126), OptionalInt.empty(), false, List.of())).orElseThrow()
                .startsWith("exit 126: 'prog'"));
        assertEquals(Optional.empty(), hints.explain(facts(OptionalInt.empty(), OptionalInt.of(9), true, List.of())),
                "a SIGKILL of a stop is ours");
        assertTrue(hints.explain(facts(OptionalInt.of(1), OptionalInt.empty(), false,
                List.of("OSError: [Errno 98] Address already in use: ('', 8000)"))).orElseThrow()
                .startsWith("address already in use (port 8000)"));
        assertTrue(hints.explain(facts(OptionalInt.of(1), OptionalInt.empty(), false,
                List.of("Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space"))).orElseThrow()
                .startsWith("java.lang.OutOfMemoryError (Java heap space)"));
        assertEquals(Optional.of("Maven: [ERROR] Failed to execute goal x"), hints.explain(facts(OptionalInt.of(1),
                OptionalInt.empty(), false, List.of("[INFO] a", "[ERROR] Failed to execute goal x", "[ERROR] second"))));
        assertEquals(Optional.of("npm: npm ERR! missing script: start"), hints.explain(facts(OptionalInt.of(1),
                OptionalInt.empty(), false, List.of("npm ERR! missing script: start"))));
        Hint mine = f -> f.lines().contains("boom") ? Optional.of("mine") : Optional.empty();
        assertEquals(Optional.of("mine"), hints.with(mine).explain(facts(OptionalInt.of(1), OptionalInt.empty(), false,
                List.of("boom"))));
    }

    private static Hint.Facts facts(OptionalInt exit, OptionalInt signal, boolean ours, List<String> lines) {
        return new Hint.Facts("prog", "/usr/bin", exit, signal, ours, lines);
    }
}
