package io.github.bgtasks.benchmarks;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.zeroturnaround.exec.ProcessExecutor;

/**
 * Start rate: {@code /bin/true} started and seen to complete, one task after another.
 *
 * <p>Every contender is warmed up first; then the rounds run round-robin over the contenders,
 * so that a slow patch of the machine hits all of them alike, and the median round counts.
 */
final class StartRate {
    private static final String TRUE = "/bin/true";

    /** Runs {@code /bin/true} once, to completion, and fails if it did not succeed. */
    @FunctionalInterface
    private interface Runner {
        void runOnce() throws Exception;
    }

    private StartRate() {
    }

    static Section run(Scale scale, Path work, TmuxServer tmux) throws Exception {
        boolean withTmux = TmuxServer.unavailable().isEmpty();
        Path files = Files.createDirectories(work.resolve("start-files"));
        AtomicInteger fileNumber = new AtomicInteger();
        DefaultExecutor commons = DefaultExecutor.builder().get();
        try (BackgroundTasks process = Subjects.process(work.resolve("start-process"));
                BackgroundTasks tmuxTasks = withTmux ? Subjects.tmux(tmux, work.resolve("start-tmux")) : null) {
            Map<String, Runner> contenders = new LinkedHashMap<>();
            contenders.put("ProcessBuilder + onExit(), output DISCARD (baseline)", () ->
                    exitZero(new ProcessBuilder(TRUE).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start().onExit().join().exitValue()));
            contenders.put("ProcessBuilder + onExit(), output to a new file per task", () ->
                    exitZero(new ProcessBuilder(TRUE).redirectErrorStream(true)
                            .redirectOutput(files.resolve(fileNumber.incrementAndGet() + ".log").toFile())
                            .start().onExit().join().exitValue()));
            contenders.put("zt-exec 1.12 `execute()`", () ->
                    exitZero(new ProcessExecutor(TRUE).execute().getExitValue()));
            contenders.put("commons-exec 1.5.0 `DefaultExecutor.execute`", () ->
                    exitZero(commons.execute(new CommandLine(TRUE))));
            contenders.put("bgtasks, process backend", () -> succeeded(process));
            if (withTmux) {
                contenders.put("bgtasks, tmux backend", () -> succeeded(tmuxTasks));
            }

            for (Runner r : contenders.values()) {
                repeat(r, scale.warmup());
            }
            Map<String, Timings> timings = new LinkedHashMap<>();
            contenders.keySet().forEach(name -> timings.put(name, new Timings()));
            for (int round = 0; round < scale.rounds(); round++) {
                for (Map.Entry<String, Runner> c : contenders.entrySet()) {
                    timings.get(c.getKey()).round(c.getValue(), scale.starts());
                }
            }
            return report(scale, timings, withTmux);
        }
    }

    /** One contender's timed rounds: the rate of each, and the slowest single task seen. */
    private static final class Timings {
        final List<Double> rates = new ArrayList<>();
        long slowestNanos;

        void round(Runner r, int starts) throws Exception {
            long t0 = System.nanoTime();
            for (int i = 0; i < starts; i++) {
                long s = System.nanoTime();
                r.runOnce();
                slowestNanos = Math.max(slowestNanos, System.nanoTime() - s);
            }
            rates.add(starts / ((System.nanoTime() - t0) / 1e9));
        }

        double[] rates() {
            return rates.stream().mapToDouble(Double::doubleValue).toArray();
        }

        /**
         * The median over rounds of this contender's rate divided by the baseline's rate in the
         * same round. Rounds follow each other closely, so a load spike from elsewhere on the
         * machine moves both rates of a pair, and pairing cancels much of it.
         */
        double ratioTo(Timings baseline) {
            double[] ratios = new double[rates.size()];
            for (int i = 0; i < ratios.length; i++) {
                ratios[i] = rates.get(i) / baseline.rates.get(i);
            }
            return Stats.median(ratios);
        }
    }

    private static Section report(Scale scale, Map<String, Timings> timings, boolean withTmux) {
        Table table = new Table("contender", "tasks/s (median round)", "ms per task",
                "vs baseline (median of per-round ratios)", "rounds: min – max tasks/s", "slowest single task");
        Timings baseline = timings.values().iterator().next();
        double bgtasksRatio = Double.NaN;
        for (Map.Entry<String, Timings> e : timings.entrySet()) {
            double[] r = e.getValue().rates();
            double median = Stats.median(r);
            double ratio = e.getValue().ratioTo(baseline);
            if (e.getKey().equals("bgtasks, process backend")) {
                bgtasksRatio = ratio;
            }
            table.row(e.getKey(), Table.num(median), String.format("%.2f", 1000 / median), Table.ratio(ratio),
                    Table.num(Stats.percentile(r, 0)) + " – " + Table.num(Stats.max(r)),
                    String.format("%.1f ms", e.getValue().slowestNanos / 1e6));
        }
        String md = "## Start rate: " + scale.starts() + " × `/bin/true`, one after another\n\n"
                + scale.warmup() + " warm-up runs per contender, then " + scale.rounds()
                + " timed rounds of " + scale.starts() + ", round-robin over the contenders.\n\n" + table
                + (withTmux ? "" : "\ntmux rows not measured: " + TmuxServer.unavailable().orElse("") + "\n");
        return new Section(md, List.of(new Section.Target("same-JVM start rate, output discarded ≥ 0.9x raw ProcessBuilder (process backend)",
                Table.ratio(bgtasksRatio), bgtasksRatio >= 0.9)));
    }

    private static void repeat(Runner r, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            r.runOnce();
        }
    }

    private static void succeeded(BackgroundTasks tasks) {
        TaskResult r = Subjects.await(tasks.start(TaskSpec.builder(TRUE).build()));
        if (r.state() != TaskState.SUCCEEDED) {
            throw new IllegalStateException("bgtasks ran /bin/true and got " + r);
        }
    }

    private static void exitZero(int exitValue) {
        if (exitValue != 0) {
            throw new IllegalStateException("/bin/true exited with " + exitValue);
        }
    }
}
