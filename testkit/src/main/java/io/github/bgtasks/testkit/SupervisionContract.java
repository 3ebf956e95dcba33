package io.github.bgtasks.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.health.Alert;
import io.github.bgtasks.health.CheckResult;
import io.github.bgtasks.health.Health;
import io.github.bgtasks.health.HealthCheck;
import io.github.bgtasks.health.NotReadyException;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.health.RestartPolicy;
import io.github.bgtasks.spi.Backend;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Supervision on real processes, the same on every backend (issue 9): health checks on a real
 * HTTP server ({@code python3 -m http.server}), new error lines, a process tree's memory,
 * readiness on a log line, restart policies and a check's restart action; nothing is left
 * running after {@code close()}. Extend it in a backend's tests and implement
 * {@link #newBackend()}. Needs {@code python3} and {@code mkfifo}.
 *
 * <p>No assertion depends on the machine's speed. "Within two periods" is counted in runs of a
 * third check with the same period, never in wall time; waits are bounded by {@link #PATIENCE}
 * only, against a hung test. Every process that could outlive a failed test carries a
 * {@linkplain ProcessMarkers#marker() marker} and is killed by it after the test.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class SupervisionContract {
    /** How often the tests' checks run. */
    protected static final Duration PERIOD = Duration.ofMillis(200);
    /** How long a wait may take before the test is taken to hang. */
    protected static final Duration PATIENCE = Duration.ofMinutes(2);

    /** A fresh directory per test. */
    @TempDir
    protected Path dir;
    /** The instance under test, built on {@link #newBackend()}, closed after each test. */
    protected BackgroundTasks tasks;
    /** Every alert of the instance, in order. */
    protected final List<Alert> alerts = new CopyOnWriteArrayList<>();
    private final List<String> markers = new CopyOnWriteArrayList<>();

    /** For subclasses. */
    protected SupervisionContract() {
    }

    /**
     * Creates the backend under test; the test directory {@link #dir} is set.
     *
     * @return a new backend of the kind under test
     */
    protected abstract Backend newBackend();

    @BeforeEach
    void createInstance() {
        tasks = BackgroundTasks.builder().backend(newBackend()).logDirectory(dir.resolve("logs"))
                .stopGracePeriod(Duration.ofMillis(500)).stopTasksOnClose(true).alertListener(alerts::add).build();
    }

    @AfterEach
    void closeInstance() {
        try {
            tasks.close();
            if (!markers.isEmpty()) {
                ProcessMarkers.awaitGone(PATIENCE, markers.toArray(String[]::new)); // close() leaves nothing
            }
        } finally {
            ProcessMarkers.killAll(markers.toArray(String[]::new));
        }
    }

    private String marker() {
        String m = ProcessMarkers.marker();
        markers.add(m);
        return m;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private List<Alert> alerts(Alert.Kind kind, String check) {
        return alerts.stream().filter(a -> a.kind() == kind && a.check().equals(check)).toList();
    }

    private static void until(String what, java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> now) {
        Waits.until(PATIENCE, what, condition, now);
    }

    /**
     * A shell that runs an HTTP server on {@code port} in the background, prints its pid, and
     * outlives it (so that the checks, not the task's end, see the server go). The server serves
     * a directory named by a marker, so the marker is one of its arguments.
     */
    private TaskSpec.Builder serverTask(int port, String m) throws IOException {
        Files.createDirectories(dir.resolve(m));
        return TaskSpec.builder("sh", "-c", "cd \"$1\" && python3 -m http.server --bind 127.0.0.1 --directory \"$2\" "
                        + port + " & echo \"server $!\"; wait $!; echo 'server gone'; exec sleep \"$2\"",
                "sh", dir.toString(), m).name("web");
    }

    private static long serverPid(TaskHandle h) {
        return h.tail(20).stream().filter(l -> l.startsWith("server ")).map(l -> Long.parseLong(l.substring(7).trim()))
                .findFirst().orElseThrow(() -> new AssertionError("no server pid in " + h.tail(20)));
    }

    @Test
    void aKilledHttpServerRaisesAnAlertFromTheHttpAndTheTcpCheckWithinTwoPeriods() throws Exception {
        int port = freePort();
        String m = marker();
        URI url = URI.create("http://127.0.0.1:" + port + "/");
        AtomicInteger ticks = new AtomicInteger(); // the test's clock: one tick per period
        TaskHandle h = tasks.start(serverTask(port, m)
                .readiness(Readiness.allOf(Readiness.http(url, 200), Readiness.port(port)), PATIENCE)
                .healthCheck(HealthCheck.http(url).every(PERIOD).timeout(Duration.ofSeconds(5)))
                .healthCheck(HealthCheck.tcp(port).every(PERIOD))
                .healthCheck(HealthCheck.custom("tick", () -> CheckResult.healthy("tick " + ticks.incrementAndGet()))
                        .every(PERIOD))
                .build());
        h.onReady().join();
        until("healthy", () -> h.health().state() == Health.State.HEALTHY, () -> h.health().toString());

        assertTrue(alerts.isEmpty(), "no alert while the server is up: " + alerts);
        ProcessHandle.of(serverPid(h)).orElseThrow().destroyForcibly();
        int killedAt = ticks.get();
        int[] tcpAt = {-1};
        int[] httpAt = {-1};
        until("alerts of both checks", () -> {
            if (tcpAt[0] < 0 && !alerts(Alert.Kind.UNHEALTHY, "tcp " + port).isEmpty()) {
                tcpAt[0] = ticks.get();
            }
            if (httpAt[0] < 0 && !alerts(Alert.Kind.UNHEALTHY, "http " + url).isEmpty()) {
                httpAt[0] = ticks.get();
            }
            return tcpAt[0] >= 0 && httpAt[0] >= 0;
        }, alerts::toString);
        // Two periods, plus one tick for the phase between the tick check and the others.
        assertTrue(tcpAt[0] - killedAt <= 3 && httpAt[0] - killedAt <= 3,
                "alerts within two periods: killed at tick " + killedAt + ", tcp at " + tcpAt[0] + ", http at " + httpAt[0]);
        Alert http = alerts(Alert.Kind.UNHEALTHY, "http " + url).get(0);
        assertEquals(h.id(), http.taskId());
        assertTrue(http.message().startsWith("check 'http " + url + "' is unhealthy: GET " + url + " failed"), http.toString());
        assertTrue(http.evidence().get(0).contains("ConnectException"), http.toString());
        Alert tcp = alerts(Alert.Kind.UNHEALTHY, "tcp " + port).get(0);
        assertTrue(tcp.evidence().get(0).contains("connect to 127.0.0.1:" + port + " failed"), tcp.toString());
        assertEquals(Health.State.UNHEALTHY, h.health().state());
        assertTrue(h.toString().contains("UNHEALTHY [http " + url), "list() shows it: " + h);
        tasks.close();
        assertTrue(alerts(Alert.Kind.FAILED, "exit").isEmpty(), "a stopped task is no failure: " + alerts);
    }

    @Test
    void aNewErrorLineRaisesOneAlertWithThatLineAndItsNumber() throws Exception {
        String m = marker();
        Path fifo = fifo("go");
        TaskHandle h = tasks.start(TaskSpec.builder("sh", "-c", "echo starting; echo ready; read x < \"$1\"; "
                        + "echo 'ERROR: disk on fire'; exec sleep \"$2\"", "sh", fifo.toString(), m)
                .readiness(Readiness.logLine(Pattern.compile("^ready$")), PATIENCE)
                .healthCheck(HealthCheck.newErrors().every(PERIOD))
                .build());
        h.onReady().join();
        until("healthy", () -> h.health().state() == Health.State.HEALTHY, () -> h.health().toString());
        Files.writeString(fifo, "go\n");

        // The run after the error sees no new one: the recovery shows that later runs happened.
        until("recovery", () -> !alerts(Alert.Kind.RECOVERED, "newErrors").isEmpty(), alerts::toString);
        List<Alert> unhealthy = alerts(Alert.Kind.UNHEALTHY, "newErrors");
        assertEquals(1, unhealthy.size(), alerts.toString());
        Alert a = unhealthy.get(0);
        assertEquals(List.of("line 3: ERROR: disk on fire"), a.evidence());
        assertTrue(a.logLines().contains("ERROR: disk on fire"), a.logLines().toString());
    }

    /** Makes a FIFO in the test directory: a task blocks on it without spinning. */
    private Path fifo(String name) throws IOException, InterruptedException {
        Path p = dir.resolve(name);
        Process mk = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
        assertEquals(0, mk.waitFor(), new String(mk.getInputStream().readAllBytes()));
        return p;
    }

    @Test
    void aProcessTreeGrowingPastItsMemoryLimitIsFlaggedWithTheFigure() throws Exception {
        String m = marker();
        Path fifo = fifo("hold");
        // A shell whose child allocates (and touches) ~100 MB, then blocks on a FIFO: no spinning.
        TaskHandle h = tasks.start(TaskSpec.builder("sh", "-c", "python3 -c 'import sys\n"
                        + "x = b\"a\" * 100_000_000\nprint(\"allocated\", flush=True)\nopen(sys.argv[1]).read()' \"$1\" \"$2\"; "
                        + "exit 0", "sh", fifo.toString(), m)
                .readiness(Readiness.logLine(Pattern.compile("allocated")), PATIENCE)
                .healthCheck(HealthCheck.resources().maxResidentMemory(50L * 1024 * 1024).maxProcesses(10).every(PERIOD))
                .build());
        h.onReady().join();
        until("a resources alert", () -> !alerts(Alert.Kind.UNHEALTHY, "resources").isEmpty(), alerts::toString);
        Alert a = alerts(Alert.Kind.UNHEALTHY, "resources").get(0);
        assertTrue(a.message().matches(".*over the limit: resident memory \\d+\\.\\d MiB \\(limit 50\\.0 MiB\\).*"), a.message());
        double mib = Double.parseDouble(a.message().replaceAll(".*resident memory (\\d+\\.\\d) MiB.*", "$1"));
        assertTrue(mib >= 95, "the figure counts the child's 100 MB: " + a.message());
        assertTrue(a.evidence().stream().anyMatch(e -> e.matches("\\d+ processes \\(limit 10\\)")), a.evidence().toString());
    }

    @Test
    void readinessOnALogLineCompletesAndFailsAtOnceWhenTheTaskExitsFirst() throws Exception {
        String m = marker();
        Path fifo = fifo("ready");
        TaskHandle ready = tasks.start(TaskSpec.builder("sh", "-c", "echo booting; read x < \"$1\"; "
                        + "echo 'Serving HTTP on 0.0.0.0'; exec sleep \"$2\"", "sh", fifo.toString(), m).name("ready")
                .readiness(Readiness.logLine(Pattern.compile("Serving HTTP")), Duration.ofHours(1)).build());
        assertTrue(!ready.onReady().isDone(), "not ready before the line");
        Files.writeString(fifo, "go\n");
        assertEquals(ready, ready.onReady().join());

        // The deadline is an hour: only the exit can end the wait within the test's patience.
        TaskHandle h = tasks.start(TaskSpec.builder("sh", "-c", "echo booting; echo 'cannot bind' >&2; exit 3")
                .name("early").readiness(Readiness.logLine(Pattern.compile("Serving HTTP")), Duration.ofHours(1)).build());
        CompletionException e = assertThrows(CompletionException.class, () -> h.onReady().join());
        NotReadyException nr = assertInstanceOf(NotReadyException.class, e.getCause());
        assertTrue(nr.getMessage().contains("ended (early FAILED (exit 3)"), nr.getMessage());
        assertTrue(nr.getMessage().contains("still waiting for log line /Serving HTTP/"), nr.getMessage());
        assertEquals(List.of("booting", "cannot bind"), nr.lastLines());
    }

    @Test
    void onFailureRestartsNTimesWithBackoffThenGivesUpWithAnAlert() {
        List<TaskResult> heard = new CopyOnWriteArrayList<>();
        TaskHandle h = tasks.start(TaskSpec.builder("sh", "-c", "echo 'ERROR: no database'; exit 3").name("flaky")
                .restart(RestartPolicy.onFailure().maxRestarts(2).backoff(Duration.ofMillis(50), Duration.ofMillis(100)))
                .build());
        h.addListener(heard::add);
        TaskResult last = h.onExit().join();
        assertEquals("flaky.3", last.id());
        assertEquals(TaskState.FAILED, last.state());
        until("the GAVE_UP alert and three runs heard", () -> heard.size() == 3
                && !alerts(Alert.Kind.GAVE_UP, "restart").isEmpty(), () -> heard + " " + alerts);
        List<TaskResult> runs = new ArrayList<>(heard);
        assertEquals(List.of("flaky.1", "flaky.2", "flaky.3"), runs.stream().map(TaskResult::id).toList());
        // the backoff's length and jitter are tested in virtual time (RestartEngineTest)
        assertEquals(3, runs.stream().map(TaskResult::logFile).distinct().count(), "each run has its own log");
        Alert gaveUp = alerts(Alert.Kind.GAVE_UP, "restart").get(0);
        assertEquals("flaky.3", gaveUp.taskId());
        assertTrue(gaveUp.message().contains("gave up restarting after 2 restart(s)"), gaveUp.toString());
        assertTrue(gaveUp.logLines().contains("ERROR: no database"), gaveUp.toString());
        assertEquals(3, alerts(Alert.Kind.FAILED, "exit").size(), "each failed run raises its own alert: " + alerts);
    }

    @Test
    void aCheckThatRestartsTheTaskBringsTheServerBack() throws Exception {
        int port = freePort();
        String m = marker();
        URI url = URI.create("http://127.0.0.1:" + port + "/");
        TaskHandle h = tasks.start(serverTask(port, m)
                .readiness(Readiness.http(url, 200), PATIENCE)
                .healthCheck(HealthCheck.http(url).every(PERIOD).timeout(Duration.ofSeconds(5))
                        .onUnhealthy(HealthCheck.Action.RESTART))
                .restart(RestartPolicy.onFailure().maxRestarts(3).backoff(Duration.ofMillis(50), Duration.ofMillis(100)))
                .build());
        h.onReady().join();
        assertEquals("web.1", h.id());
        ProcessHandle.of(serverPid(h)).orElseThrow().destroyForcibly();

        until("the second run", () -> h.id().equals("web.2"), h::toString);
        h.onReady().join();
        assertTrue(alerts(Alert.Kind.UNHEALTHY, "http " + url).get(0).message().endsWith("; restarting the task"),
                alerts.toString());
        assertEquals(TaskState.STOPPED, tasks.find("web.1").orElseThrow().state());
        until("healthy again", () -> h.health().state() == Health.State.HEALTHY, () -> h.health().toString());
    }
}
