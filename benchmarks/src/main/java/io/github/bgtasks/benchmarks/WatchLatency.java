package io.github.bgtasks.benchmarks;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.watch.WatchSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Watch mode, save to restart: a task in watch mode prints the wall-clock time in nanoseconds as
 * its first act; the benchmark saves a watched file, noting the time just before the write, and
 * reads the time the next run printed. The difference holds the debounce (reported apart), the
 * file system's notice, the stop of the old run (SIGTERM; it exits at once) and the start of
 * the new one.
 */
final class WatchLatency {
    static final Duration DEBOUNCE = Duration.ofMillis(50);
    private static final String SCRIPT = "date +%s%N; exec sleep 1000";

    private WatchLatency() {
    }

    static Section run(Scale scale, Path work) throws Exception {
        Path src = Files.createDirectories(work.resolve("watch-src"));
        Table table = new Table("backend", "debounce", "saves", "median ms", "p90 ms", "min ms", "max ms",
                "median ms − debounce");
        double[] ms = new double[scale.latencyRuns()];
        try (BackgroundTasks tasks = Subjects.process(work.resolve("watch-logs"))) {
            TaskHandle h = tasks.start(TaskSpec.builder("sh", "-c", SCRIPT).name("watched")
                    .watch(WatchSpec.builder(src).debounce(DEBOUNCE).build()).build());
            String id = awaitRun(h, null);
            for (int i = 0; i < ms.length; i++) {
                long saved = epochNanos();
                Files.writeString(src.resolve("file.txt"), "save " + i);
                id = awaitRun(h, id);
                ms[i] = (started(h.logFile()) - saved) / 1e6;
            }
            h.stop().get();
        }
        double median = Stats.median(ms);
        table.row("process", DEBOUNCE.toMillis() + " ms", ms.length, fmt(median), fmt(Stats.percentile(ms, 90)),
                fmt(Stats.percentile(ms, 0)), fmt(Stats.max(ms)), fmt(median - DEBOUNCE.toMillis()));
        String md = "## Watch mode: save to restart\n\nTask: `sh -c '" + SCRIPT + "'` in watch mode on one directory "
                + "(JDK WatchService, inotify on Linux); each save writes one file, after the previous restart. "
                + "Latency = the timestamp the new run printed first − the time just before the write: it holds the "
                + "debounce, the notice, the graceful stop of the old run and the start of the new one.\n\n" + table;
        List<Section.Target> targets = new ArrayList<>();
        targets.add(new Section.Target("save → restart ≤ debounce + 200 ms median (process backend)",
                fmt(median) + " ms", median <= DEBOUNCE.toMillis() + 200));
        return new Section(md, targets);
    }

    /** Waits (no spinning limit: a busy machine may be slow) for a run other than {@code previous} to print. */
    private static String awaitRun(TaskHandle h, String previous) throws Exception {
        while (true) {
            String id = h.id();
            if (!id.equals(previous) && Files.readString(h.logFile()).strip().matches("[0-9]{19,}")) {
                return id;
            }
            Thread.sleep(1); // a benchmark harness, not a test: a short poll keeps the measurement honest
        }
    }

    private static long started(Path log) throws Exception {
        return Long.parseLong(Files.readString(log).strip());
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static String fmt(double ms) {
        return String.format("%.2f", ms);
    }
}
