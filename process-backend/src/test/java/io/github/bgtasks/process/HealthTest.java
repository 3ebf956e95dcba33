package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.Alert;
import io.github.bgtasks.health.Health;
import io.github.bgtasks.health.HealthCheck;
import io.github.bgtasks.health.NotReadyException;
import io.github.bgtasks.health.Readiness;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Readiness, health checks and alerts on real processes (issue 9). Checks run every 200 ms of
 * real time; nothing asserts how long an alert took, only that it arrives, with its evidence.
 */
class HealthTest extends RealProcessTest {
    static final Duration PERIOD = Duration.ofMillis(200);
    static final Duration PATIENCE = Duration.ofSeconds(60);

    private final List<Alert> alerts = new CopyOnWriteArrayList<>();

    private BackgroundTasks tasks() {
        return newTasks(b -> b.alertListener(alerts::add));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private List<Alert> alerts(Alert.Kind kind, String check) {
        return alerts.stream().filter(a -> a.kind() == kind && a.check().equals(check)).toList();
    }

    @Test
    void aKilledHttpServerRaisesAnAlertFromTheHttpAndTheTcpCheck() throws Exception {
        int port = freePort();
        String m = marker();
        URI url = URI.create("http://127.0.0.1:" + port + "/");
        // The task outlives its server, so that the checks (not the task's end) see it go.
        TaskSpec spec = TaskSpec.builder("sh", "-c", "python3 -m http.server --bind 127.0.0.1 " + port + " & "
                        + "echo \"server $!\"; wait $!; echo 'server gone'; exec sleep 1000 " + m, "sh")
                .name("web")
                .readiness(Readiness.allOf(Readiness.http(url, 200), Readiness.port(port)), PATIENCE)
                .healthCheck(HealthCheck.http(url).every(PERIOD).timeout(Duration.ofSeconds(5)).failureThreshold(2))
                .healthCheck(HealthCheck.tcp(port).every(PERIOD))
                .build();
        BackgroundTasks tasks = tasks();
        TaskHandle h = tasks.start(spec);
        h.onReady().join();
        within(PATIENCE).until(() -> h.health().state() == Health.State.HEALTHY);

        long server = h.tail(10).stream().filter(l -> l.startsWith("server ")).map(l -> Long.parseLong(l.substring(7)))
                .findFirst().orElseThrow();
        ProcessHandle.of(server).orElseThrow().destroyForcibly();

        within(PATIENCE).until(() -> !alerts(Alert.Kind.UNHEALTHY, "http " + url).isEmpty()
                && !alerts(Alert.Kind.UNHEALTHY, "tcp " + port).isEmpty());
        Alert http = alerts(Alert.Kind.UNHEALTHY, "http " + url).get(0);
        assertEquals(h.id(), http.taskId());
        assertTrue(http.message().contains("GET " + url + " failed"), http.toString());
        assertTrue(http.evidence().get(0).contains("ConnectException"), http.toString());
        Alert tcp = alerts(Alert.Kind.UNHEALTHY, "tcp " + port).get(0);
        assertTrue(tcp.evidence().get(0).contains("connect to 127.0.0.1:" + port + " failed"), tcp.toString());
        assertEquals(Health.State.UNHEALTHY, h.health().state());
        assertTrue(h.health().evidence().stream().anyMatch(e -> e.startsWith("tcp " + port + ": ")), h.health().toString());

        tasks.close();
        awaitGone(PATIENCE, m);
        assertTrue(alerts(Alert.Kind.FAILED, "exit").isEmpty(), "a stopped task is no failure: " + alerts);
    }

    @Test
    void aNewErrorLineRaisesOneAlertWithTheLineAndItsNumber() {
        String m = marker();
        BackgroundTasks tasks = tasks();
        TaskHandle h = tasks.start(TaskSpec.builder("sh", "-c", "echo starting; echo ready; read x; "
                        + "echo 'ERROR: disk on fire'; exec sleep 1000 " + m, "sh")
                .readiness(Readiness.logLine(Pattern.compile("^ready$")), PATIENCE)
                .healthCheck(HealthCheck.newErrors().every(PERIOD))
                .build());
        h.onReady().join();
        within(PATIENCE).until(() -> h.health().state() == Health.State.HEALTHY);
        h.send("go");

        // The check after the error sees no new one: the recovery shows that later runs happened.
        within(PATIENCE).until(() -> !alerts(Alert.Kind.RECOVERED, "newErrors").isEmpty());
        List<Alert> unhealthy = alerts(Alert.Kind.UNHEALTHY, "newErrors");
        assertEquals(1, unhealthy.size(), alerts.toString());
        Alert a = unhealthy.get(0);
        assertEquals(List.of("line 3: ERROR: disk on fire"), a.evidence());
        assertTrue(a.logLines().contains("ERROR: disk on fire"), a.logLines().toString());
        tasks.close();
        awaitGone(PATIENCE, m);
    }

    @Test
    void aProcessTreeOverItsMemoryLimitIsFlaggedWithTheFigure() {
        String m = marker();
        BackgroundTasks tasks = tasks();
        // A shell whose child holds ~100 MB: the check adds up the whole tree.
        TaskHandle h = tasks.start(TaskSpec.builder("sh", "-c", "perl -e '$| = 1; $x = \"a\" x 100_000_000; "
                        + "print \"allocated\\n\"; sleep 1000' " + m + "; exit 0", "sh")
                .readiness(Readiness.logLine(Pattern.compile("allocated")), PATIENCE)
                .healthCheck(HealthCheck.resources().maxResidentMemory(50L * 1024 * 1024).maxProcesses(10).every(PERIOD))
                .build());
        h.onReady().join();
        within(PATIENCE).until(() -> !alerts(Alert.Kind.UNHEALTHY, "resources").isEmpty());
        Alert a = alerts(Alert.Kind.UNHEALTHY, "resources").get(0);
        assertTrue(a.message().matches(".*over the limit: resident memory \\d+\\.\\d MiB \\(limit 50\\.0 MiB\\).*"), a.message());
        assertTrue(a.evidence().contains("2 processes (limit 10)"), a.evidence().toString());
        tasks.close();
        awaitGone(PATIENCE, m);
    }

    @Test
    void readinessOnALogLineFailsAtOnceWhenTheTaskExitsFirst() {
        BackgroundTasks tasks = tasks();
        // The deadline is an hour: only the exit can end the wait within the test's patience.
        TaskHandle h = tasks.start(TaskSpec.builder("sh", "-c", "echo booting; echo 'cannot bind' >&2; exit 3")
                .readiness(Readiness.logLine(Pattern.compile("Serving HTTP")), Duration.ofHours(1))
                .build());
        CompletionException e = assertThrows(CompletionException.class, () -> h.onReady().join());
        NotReadyException nr = assertInstanceOf(NotReadyException.class, e.getCause());
        assertTrue(nr.getMessage().contains("ended (sh-1 FAILED (exit 3)"), nr.getMessage());
        assertTrue(nr.getMessage().contains("still waiting for log line /Serving HTTP/"), nr.getMessage());
        assertEquals(List.of("booting", "cannot bind"), nr.lastLines());
        within(PATIENCE).until(() -> !alerts(Alert.Kind.FAILED, "exit").isEmpty());
        assertTrue(alerts(Alert.Kind.FAILED, "exit").get(0).logLines().contains("cannot bind"));
    }

    @Test
    void aMissingCommandFailsWithAHintNamingThePath() {
        BackgroundTasks tasks = tasks();
        TaskHandle h = tasks.start(TaskSpec.builder("sh", "-c", "no-such-command-bgtasks").name("missing")
                .environment(java.util.Map.of("PATH", "/usr/bin:/bin")).build());
        String hint = h.onExit().join().hint().orElseThrow();
        assertTrue(hint.startsWith("exit 127: command not found") && hint.contains("(/usr/bin:/bin)"), hint);
        within(PATIENCE).until(() -> !alerts(Alert.Kind.FAILED, "exit").isEmpty());
        assertEquals(hint, alerts.get(0).hint().orElseThrow());
    }
}
