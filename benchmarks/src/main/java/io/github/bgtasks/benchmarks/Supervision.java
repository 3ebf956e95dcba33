package io.github.bgtasks.benchmarks;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.Alert;
import io.github.bgtasks.health.CheckResult;
import io.github.bgtasks.health.Health;
import io.github.bgtasks.health.HealthCheck;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.process.ProcessBackend;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What supervision costs and how fast it tells (issue 9), on the process backend:
 * <ul>
 *   <li>CPU per run of each built-in check: N {@code sleep} tasks, each with the check every
 *       100 ms, for a window; the JVM's CPU time over the window, minus that of the same tasks
 *       without checks, divided by the runs the window holds (N × window / period; a loaded
 *       machine runs fewer, so the figure is an upper bound);</li>
 *   <li>alert latency: a real HTTP server ({@code python3 -m http.server}) under an HTTP or a
 *       TCP check is killed at a random moment of the period; the time until the alert's
 *       listener runs, against the bound of one period plus the check's timeout.</li>
 * </ul>
 */
final class Supervision {
    private static final Duration CPU_PERIOD = Duration.ofMillis(100);
    private static final Duration LATENCY_PERIOD = Duration.ofSeconds(1);
    private static final Duration LATENCY_TIMEOUT = Duration.ofSeconds(1);

    private Supervision() {
    }

    static Section run(Scale scale, Path work) throws Exception {
        boolean full = scale == Scale.FULL;
        int tasks = full ? 100 : 20;
        Duration window = Duration.ofSeconds(full ? 10 : 2);
        int latencyRuns = full ? 10 : 2;
        List<Section.Target> targets = new ArrayList<>();

        Table cpu = new Table("check", "tasks", "runs in the window", "CPU per run, µs", "CPU share of one core");
        try (BackgroundTasks bg = Subjects.process(work.resolve("supervision-cpu"))) {
            int port = freePort();
            String serverMarker = marker();
            TaskHandle server = bg.start(serverSpec(port, serverMarker, work)
                    .readiness(Readiness.port(port), Duration.ofMinutes(1)).build());
            server.onReady().join();
            URI url = URI.create("http://127.0.0.1:" + port + "/");
            Map<String, Function<Duration, HealthCheck>> checks = new LinkedHashMap<>();
            checks.put("alive", p -> HealthCheck.alive().every(p));
            checks.put("newErrors", p -> HealthCheck.newErrors().every(p));
            checks.put("quietFor", p -> HealthCheck.quietFor(Duration.ofHours(1)).every(p));
            checks.put("resources", p -> HealthCheck.resources().maxResidentMemory(1L << 30).every(p));
            checks.put("tcp", p -> HealthCheck.tcp(port).every(p));
            checks.put("http", p -> HealthCheck.http(url).every(p));
            checks.put("custom", p -> HealthCheck.custom("custom", () -> CheckResult.healthy("fine")).every(p));
            double baseline = cpuMillis(bg, tasks, window, null);
            long runs = tasks * (window.toMillis() / CPU_PERIOD.toMillis());
            for (Map.Entry<String, Function<Duration, HealthCheck>> e : checks.entrySet()) {
                double ms = cpuMillis(bg, tasks, window, e.getValue().apply(CPU_PERIOD)) - baseline;
                cpu.row(e.getKey(), tasks, runs, String.format("%.0f", Math.max(0, ms) * 1000 / runs),
                        String.format("%.1f %%", Math.max(0, ms) / window.toMillis() * 100));
            }
        }

        Table latency = new Table("check", "runs", "median ms", "max ms", "bound (period + timeout), ms", "verdict");
        try (BackgroundTasks bg = Subjects.build(ProcessBackend.create(), work.resolve("supervision-latency"))) {
            for (String kind : List.of("http", "tcp")) {
                double[] ms = new double[latencyRuns];
                for (int i = 0; i < latencyRuns; i++) {
                    ms[i] = alertLatencyMillis(bg, kind, work);
                }
                long bound = LATENCY_PERIOD.plus(LATENCY_TIMEOUT).toMillis();
                boolean met = Stats.max(ms) <= bound;
                latency.row(kind, latencyRuns, String.format("%.0f", Stats.median(ms)), String.format("%.0f", Stats.max(ms)),
                        bound, Table.verdict(met));
                targets.add(new Section.Target("killed server's " + kind + " alert ≤ period + timeout (" + bound + " ms)",
                        String.format("%.0f ms max", Stats.max(ms)), met));
            }
        }
        String md = "## Supervision (issue 9)\n\nProcess backend. CPU: " + tasks + " `sleep` tasks, each with one check "
                + "every " + CPU_PERIOD.toMillis() + " ms, over " + window.toSeconds() + " s, minus the same tasks without "
                + "checks; runs counted as tasks × window / period (an upper bound on the cost per run when the machine "
                + "is loaded). tcp and http go to a `python3 -m http.server` task, outside the JVM.\n\n" + cpu
                + "\nAlert latency: the server is killed at a random moment of the check's period (" + LATENCY_PERIOD.toMillis()
                + " ms, timeout " + LATENCY_TIMEOUT.toMillis() + " ms, threshold 1); latency = kill → the alert listener.\n\n"
                + latency;
        return new Section(md, targets);
    }

    /** JVM CPU milliseconds over {@code window} with {@code tasks} sleeping tasks, each with {@code check} (or none). */
    private static double cpuMillis(BackgroundTasks bg, int tasks, Duration window, HealthCheck check) throws Exception {
        String m = marker();
        List<TaskHandle> handles = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            TaskSpec.Builder b = TaskSpec.builder("sleep", m);
            if (check != null) {
                b.healthCheck(check);
            }
            handles.add(bg.start(b.build()));
        }
        if (check != null) { // every check has run once: the window holds only steady runs
            while (!handles.stream().allMatch(h -> h.health().state() == Health.State.HEALTHY)) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
        long t0 = processCpuNanos();
        TimeUnit.NANOSECONDS.sleep(window.toNanos());
        long used = processCpuNanos() - t0;
        for (TaskHandle h : handles) {
            h.stop();
        }
        for (TaskHandle h : handles) {
            Subjects.await(h);
            bg.remove(h);
        }
        return used / 1e6;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double alertLatencyMillis(BackgroundTasks bg, String kind, Path work) throws Exception {
        int port = freePort();
        URI url = URI.create("http://127.0.0.1:" + port + "/");
        HealthCheck check = (kind.equals("http") ? HealthCheck.http(url) : HealthCheck.tcp(port))
                .every(LATENCY_PERIOD).timeout(LATENCY_TIMEOUT).initialDelay(Duration.ZERO);
        BlockingQueue<Long> alerts = new LinkedBlockingQueue<>();
        TaskHandle h = bg.start(serverSpec(port, marker(), work).readiness(Readiness.port(port), Duration.ofMinutes(1))
                .healthCheck(check).build());
        h.addAlertListener((Alert a) -> {
            if (a.kind() == Alert.Kind.UNHEALTHY) {
                alerts.add(System.nanoTime());
            }
        });
        h.onReady().join();
        while (h.health().state() != Health.State.HEALTHY) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(LATENCY_PERIOD.toMillis()));
        long server = h.tail(10).stream().filter(l -> l.startsWith("server ")).mapToLong(l -> Long.parseLong(l.substring(7).trim()))
                .findFirst().orElseThrow();
        long killed = System.nanoTime();
        ProcessHandle.of(server).orElseThrow().destroyForcibly();
        Long at = alerts.poll(1, TimeUnit.MINUTES);
        if (at == null) {
            throw new IllegalStateException("no alert within a minute of killing the server of " + h.id());
        }
        h.stop();
        Subjects.await(h);
        bg.remove(h);
        return (at - killed) / 1e6;
    }

    /** A shell that runs an HTTP server in the background, prints its pid, and outlives it. */
    private static TaskSpec.Builder serverSpec(int port, String marker, Path work) throws IOException {
        Path root = Files.createDirectories(work.resolve("www"));
        return TaskSpec.builder("sh", "-c", "python3 -m http.server --bind 127.0.0.1 --directory \"$1\" " + port
                + " & echo \"server $!\"; wait $!; exec sleep \"$2\"", "sh", root.toString(), marker);
    }

    private static String marker() {
        return "3600." + Math.abs(ThreadLocalRandom.current().nextLong() % 1_000_000_000_000L);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
