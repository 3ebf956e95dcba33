package io.github.bgtasks.health;

import io.github.bgtasks.internal.Durations;
import io.github.bgtasks.internal.health.LogCursor;
import io.github.bgtasks.internal.health.Probe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** The built-in probes. Each factory is immutable; each probe belongs to one task. */
final class Probes {
    /** At most this many lines of evidence per run, so an alert stays readable. */
    static final int MAX_EVIDENCE = 20;

    private Probes() {
    }

    /** The task still runs (or is being stopped on request). */
    static Probe.Factory<CheckResult> alive() {
        return t -> (Probe.Sync<CheckResult>) timeout -> {
            return t.ended().map(end -> CheckResult.unhealthy("the task has ended: " + end))
                    .orElseGet(() -> CheckResult.healthy(t.stopping() ? "stopping" : "running",
                            "pid " + (t.pid().isPresent() ? t.pid().getAsLong() : "unknown"),
                            "running for " + Durations.format(t.runtime())));
        };
    }

    /** New lines matching {@code pattern} (null: the instance's error pattern) since the last run. */
    static Probe.Factory<CheckResult> newErrors(Pattern pattern) {
        return t -> {
            LogCursor cursor = new LogCursor();
            Pattern p = pattern != null ? pattern : t.errorPattern();
            return (Probe.Sync<CheckResult>) timeout -> {
                List<String> found = new ArrayList<>();
                long[] matches = {0};
                long read = cursor.readNew(t, line -> {
                    if (p.matcher(line.text()).find()) {
                        matches[0]++;
                        if (found.size() < MAX_EVIDENCE) {
                            found.add(line.toString());
                        }
                    }
                });
                if (matches[0] == 0) {
                    return CheckResult.healthy("no new error lines (" + read + " new lines read)");
                }
                return CheckResult.unhealthy(matches[0] + " new error line" + (matches[0] == 1 ? "" : "s")
                        + " in the log: " + found.get(0), found.toArray(String[]::new));
            };
        };
    }

    /** The log has grown within {@code limit}; measured on the instance's ticker. */
    static Probe.Factory<CheckResult> quietFor(Duration limit) {
        return t -> {
            long[] last = {-1, t.nanoTime()}; // size, when it last changed
            return (Probe.Sync<CheckResult>) timeout -> {
                long size;
                try (var ch = t.openLog()) {
                    size = ch.size();
                }
                long now = t.nanoTime();
                if (size != last[0]) {
                    last[0] = size;
                    last[1] = now;
                }
                Duration quiet = Duration.ofNanos(now - last[1]);
                String figure = "no output for " + Durations.format(quiet) + " (limit " + Durations.format(limit) + ")";
                return quiet.compareTo(limit) > 0
                        ? CheckResult.unhealthy("the task looks stalled: " + figure, "log size " + size + " bytes")
                        : CheckResult.healthy(figure);
            };
        };
    }

    /** A check written in Java; {@code null} counts as unhealthy. */
    static Probe.Factory<CheckResult> custom(String name, Supplier<CheckResult> check) {
        return t -> (Probe.Sync<CheckResult>) timeout -> {
            CheckResult r = check.get();
            return r != null ? r : CheckResult.unhealthy("check '" + name + "' returned null instead of a CheckResult");
        };
    }

    /** A TCP connect to {@code host:port}. Blocks a pool thread for at most the timeout. */
    static Probe.Factory<CheckResult> tcp(String host, int port) {
        return t -> (Probe.Sync<CheckResult>) timeout -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
                return CheckResult.healthy("port " + port + " on " + host + " accepts connections");
            } catch (IOException e) {
                return CheckResult.unhealthy("port " + port + " on " + host + " does not accept connections: " + e,
                        "connect to " + host + ":" + port + " failed: " + e.getMessage());
            }
        };
    }

    /**
     * A GET answered with {@code expected} (or, when it is 0, any status below 400); sent with
     * {@code client.sendAsync}, so no thread waits for the answer.
     */
    static Probe.Factory<CheckResult> http(URI uri, int expected, Supplier<HttpClient> client) {
        return t -> timeout -> {
            HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
            return client.get().sendAsync(req, HttpResponse.BodyHandlers.ofString()).handle((resp, e) -> {
                if (e != null) {
                    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                    return CheckResult.unhealthy("GET " + uri + " failed: " + cause, "GET " + uri + ": " + cause);
                }
                int status = resp.statusCode();
                boolean ok = expected == 0 ? status < 400 : status == expected;
                String body = resp.body() == null ? "" : resp.body().strip();
                String line = "GET " + uri + " answered " + status
                        + (expected == 0 ? "" : " (expected " + expected + ")");
                return ok ? CheckResult.healthy(line)
                        : CheckResult.unhealthy(line, line, "body: " + body.substring(0, Math.min(200, body.length())));
            });
        };
    }

    /** The whole process tree's memory, CPU and process count against limits (0: no limit). */
    static Probe.Factory<CheckResult> resources(long maxResident, double maxCpuPercent, int maxProcesses) {
        return t -> {
            long[] prev = {-1, 0}; // cpu ticks, when
            return (Probe.Sync<CheckResult>) timeout -> {
                OptionalLong pid = t.pid();
                if (pid.isEmpty()) {
                    return CheckResult.unknown("the backend does not tell the task's process id");
                }
                var tree = ProcessTree.read(pid.getAsLong(), timeout);
                if (tree.isEmpty()) {
                    return CheckResult.unknown("process " + pid.getAsLong() + " is gone");
                }
                ProcessTree p = tree.get();
                long now = t.nanoTime();
                double cpu = -1;
                if (prev[0] >= 0 && now > prev[1]) {
                    cpu = 100.0 * (p.cpuTicks() - prev[0]) / ProcessTree.TICKS_PER_SECOND / ((now - prev[1]) / 1e9);
                }
                prev[0] = p.cpuTicks();
                prev[1] = now;
                String mem = "resident memory " + mib(p.residentBytes()) + (maxResident > 0 ? " (limit " + mib(maxResident) + ")" : "");
                String cpuLine = "CPU " + (cpu < 0 ? "not measured yet" : String.format(Locale.ROOT, "%.1f%%", cpu))
                        + (maxCpuPercent > 0 ? String.format(Locale.ROOT, " (limit %.1f%%)", maxCpuPercent) : "");
                String procs = p.processes() + " process" + (p.processes() == 1 ? "" : "es")
                        + (maxProcesses > 0 ? " (limit " + maxProcesses + ")" : "");
                List<String> over = new ArrayList<>();
                if (maxResident > 0 && p.residentBytes() > maxResident) {
                    over.add(mem);
                }
                if (maxCpuPercent > 0 && cpu > maxCpuPercent) {
                    over.add(cpuLine);
                }
                if (maxProcesses > 0 && p.processes() > maxProcesses) {
                    over.add(procs);
                }
                String[] evidence = {mem, cpuLine, procs};
                return over.isEmpty() ? CheckResult.healthy("within limits", evidence)
                        : CheckResult.unhealthy("over the limit: " + String.join(", ", over), evidence);
            };
        };
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    /** A line matching {@code pattern} appeared in the log; once seen, it holds. */
    static Probe.Factory<CheckResult> logLine(Pattern pattern) {
        return t -> {
            LogCursor cursor = new LogCursor();
            LogCursor.Line[] seen = {null};
            return new Probe.Sync<CheckResult>() {
                @Override
                public CheckResult now(Duration timeout) throws IOException {
                    if (seen[0] == null) {
                        // only the bytes written since the last try are read
                        cursor.readNew(t, line -> {
                            if (seen[0] == null && pattern.matcher(line.text()).find()) {
                                seen[0] = line;
                            }
                        });
                    }
                    return seen[0] != null ? CheckResult.healthy(seen[0].toString())
                            : CheckResult.unhealthy("no line matching /" + pattern + "/ yet");
                }

                @Override
                public boolean quick() {
                    return true;
                }
            };
        };
    }
}
