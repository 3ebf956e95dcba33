package io.github.bgtasks.benchmarks;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Exit-notice latency: a task prints the wall-clock time in nanoseconds as its very last act
 * ({@code exec date +%s%N}), and the caller's callback records the time it was told of the
 * exit. The difference is an upper bound on the notice latency: it also holds {@code date}'s
 * own exit and the kernel's reaping, which no library can avoid.
 */
final class ExitLatency {
    private static final String SCRIPT = "sleep 0.05; exec date +%s%N";

    /** Runs the script once and returns the latency in milliseconds. */
    @FunctionalInterface
    private interface Probe {
        double measure(int run) throws Exception;
    }

    private ExitLatency() {
    }

    static Section run(Scale scale, Path work, TmuxServer tmux) throws Exception {
        Table table = new Table("contender", "notified by", "runs", "median ms", "p90 ms", "min ms", "max ms");
        List<Section.Target> targets = new ArrayList<>();
        Path pbLogs = Files.createDirectories(work.resolve("latency-pb"));
        double[] pb = sample(scale, run -> viaProcessBuilder(pbLogs.resolve(run + ".log")));
        row(table, "ProcessBuilder, output to a file", "`onExit().thenApply(…)`", pb);
        try (BackgroundTasks tasks = Subjects.process(work.resolve("latency-process"))) {
            double[] ms = sample(scale, run -> viaBgtasks(tasks));
            row(table, "bgtasks, process backend", "`CompletionListener`", ms);
            targets.add(target("exit noticed ≤ 2 ms median (process backend)", ms, 2));
        }
        String notes = "";
        if (TmuxServer.unavailable().isEmpty()) {
            try (BackgroundTasks tasks = Subjects.tmux(tmux, work.resolve("latency-tmux"))) {
                double[] ms = sample(scale, run -> viaBgtasks(tasks));
                row(table, "bgtasks, tmux backend", "`CompletionListener`", ms);
                targets.add(target("exit noticed ≤ 20 ms median (tmux backend)", ms, 20));
            }
        } else {
            notes = "\ntmux rows not measured: " + TmuxServer.unavailable().orElseThrow() + "\n";
        }
        String md = "## Exit-notice latency\n\nTask: `sh -c '" + SCRIPT + "'`, output to a log file; latency = "
                + "time the callback ran (`Instant.now()`) − the timestamp `date` printed just before it exited. "
                + "An upper bound: it includes `date`'s exit and reaping. " + scale.warmup() / 10 + " warm-up runs, "
                + "then " + scale.latencyRuns() + " timed runs, one at a time.\n\n" + table + notes;
        return new Section(md, targets);
    }

    private static double[] sample(Scale scale, Probe probe) throws Exception {
        for (int i = 0; i < scale.warmup() / 10; i++) {
            probe.measure(-1 - i);
        }
        double[] ms = new double[scale.latencyRuns()];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = probe.measure(i);
        }
        return ms;
    }

    private static double viaProcessBuilder(Path log) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", SCRIPT).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        long noticed = p.onExit().thenApply(x -> epochNanos()).join();
        return latencyMillis(log, noticed);
    }

    private static double viaBgtasks(BackgroundTasks tasks) throws Exception {
        TaskHandle h = tasks.start(TaskSpec.shell(SCRIPT).build());
        CompletableFuture<Long> noticed = new CompletableFuture<>();
        h.addListener(result -> noticed.complete(epochNanos()));
        long at = Subjects.await(noticed, h);
        Subjects.await(h);
        return latencyMillis(h.logFile(), at);
    }

    private static long epochNanos() {
        Instant now = Instant.now(); // microsecond resolution on Linux with JDK 17
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Reads the timestamp the task printed (tmux logs may end lines with CR) and subtracts it. */
    private static double latencyMillis(Path log, long noticedNanos) throws IOException {
        String printed = Files.readString(log).replaceAll("[^0-9]", "");
        if (printed.length() < 19) {
            throw new IllegalStateException("no nanosecond timestamp in " + log + ": '" + Files.readString(log) + "'");
        }
        return (noticedNanos - Long.parseLong(printed)) / 1e6;
    }

    private static void row(Table table, String contender, String how, double[] ms) {
        table.row(contender, how, ms.length, fmt(Stats.median(ms)), fmt(Stats.percentile(ms, 90)),
                fmt(Stats.percentile(ms, 0)), fmt(Stats.max(ms)));
    }

    private static Section.Target target(String what, double[] ms, double limitMillis) {
        double median = Stats.median(ms);
        return new Section.Target(what, fmt(median) + " ms", median <= limitMillis);
    }

    private static String fmt(double ms) {
        return String.format("%.2f", ms);
    }
}
