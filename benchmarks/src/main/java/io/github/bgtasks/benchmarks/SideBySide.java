package io.github.bgtasks.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Issue 8's table: what a user's harness sees, each bgtasks backend beside what it wraps.
 * Every row starts one fresh JVM per contender ({@link ContenderProbe}), runs {@value #WARMUP}
 * warm-up tasks in each, then interleaves the timed rounds over the contenders, so that a slow
 * patch of the machine hits all of them alike. Every task has its own name and log file and is
 * timed from {@code start()} to its end callback.
 */
final class SideBySide {
    static final int WARMUP = 10;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Scale scale;
    private final Path work;
    private final Table table = new Table("", "raw", "bgtasks", "ratio", "target", "verdict", "load");
    private final List<Section.Target> targets = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private SideBySide(Scale scale, Path work) {
        this.scale = scale;
        this.work = work;
    }

    /**
     * @param tmuxOnly whether to measure only the tmux rows
     */
    static Section run(Scale scale, Path work, boolean tmuxOnly) throws Exception {
        SideBySide s = new SideBySide(scale, Files.createDirectories(work.resolve("side-by-side")));
        for (String strategy : tmuxOnly ? List.<String>of() : List.of("perl", "jdk")) {
            s.startRate("process (`ProcessBackend." + strategy + "()`): sequential starts of `/bin/true`, tasks/s",
                    "pb", strategy, 0);
        }
        for (String strategy : tmuxOnly ? List.<String>of() : List.of("perl", "jdk")) {
            // The same, once both JVMs have compiled their code: what is left of the row above
            // that the JIT's warm-up does not explain.
            s.startRate("process (`ProcessBackend." + strategy + "()`): the same after " + scale.concurrent()
                    + " more warm-up tasks, tasks/s", "pb", strategy, scale.concurrent());
        }
        for (String strategy : tmuxOnly ? List.<String>of() : List.of("perl", "jdk")) {
            s.live("process (`ProcessBackend." + strategy + "()`): time to start " + scale.concurrent()
                    + " `sleep` tasks that stay alive, s", "pb", strategy, scale.concurrent());
        }
        if (TmuxServer.unavailable().isPresent()) {
            s.notes.add("tmux rows not measured: " + TmuxServer.unavailable().orElseThrow() + ".");
        } else {
            s.startRate("tmux: sequential starts of `/bin/true`, tasks/s", "tmux-raw", "tmux", 0);
            s.startRate("tmux (`Output.DIRECT`): sequential starts of `/bin/true`, tasks/s", "tmux-raw", "tmux-direct", 0);
            // The count (1,000), not the thread section's smaller tmuxConcurrent.
            s.live("tmux: time to start " + scale.concurrent() + " sessions (`sleep`) that stay alive, s",
                    "tmux-raw", "tmux", scale.concurrent());
            s.live("tmux (`Output.DIRECT`): time to start " + scale.concurrent() + " sessions (`sleep`) that stay alive, s",
                    "tmux-raw", "tmux-direct", scale.concurrent());
            s.latency("tmux", "");
            s.latency("tmux-direct", " (`Output.DIRECT`)");
            s.output("tmux", "", "≥ 0.5x plain tmux", 0.5);
            s.output("tmux-direct", " (`Output.DIRECT`, the pane showing the log)", "≥ 0.9x plain tmux", 0.9);
        }
        return s.section();
    }

    /**
     * @param extraWarmup tasks each contender runs, untimed, after the usual warm-up
     */
    private void startRate(String what, String raw, String bgtasks, int extraWarmup) throws Exception {
        String load = Main.loadAverage();
        try (Probe r = probe(raw); Probe b = probe(bgtasks)) {
            if (extraWarmup > 0) {
                r.ask("starts " + extraWarmup);
                b.ask("starts " + extraWarmup);
            }
            double[] rawRates = new double[scale.rounds()];
            double[] ourRates = new double[scale.rounds()];
            double[] ratios = new double[scale.rounds()];
            for (int i = 0; i < scale.rounds(); i++) {
                // Each goes first in every other round: neither always follows the other's work.
                boolean rawFirst = i % 2 == 0;
                String first = (rawFirst ? r : b).ask("starts " + scale.roundTasks());
                String second = (rawFirst ? b : r).ask("starts " + scale.roundTasks());
                rawRates[i] = rate(rawFirst ? first : second);
                ourRates[i] = rate(rawFirst ? second : first);
                ratios[i] = ourRates[i] / rawRates[i];
            }
            double ratio = Stats.median(ratios);
            row(what, Table.num(Stats.median(rawRates)), Table.num(Stats.median(ourRates)), Table.ratio(ratio),
                    "≥ 0.9x raw", ratio >= 0.9, load);
        }
    }

    /** @return tasks per second over one round's per-task milliseconds */
    private static double rate(String millis) {
        double[] ms = numbers(millis);
        return ms.length * 1000 / Arrays.stream(ms).sum();
    }

    private void live(String what, String raw, String bgtasks, int count) throws Exception {
        String load = Main.loadAverage();
        long[] rawResult;
        long[] ourResult;
        // One probe at a time: the other's idle JVM is all that shares the machine then.
        try (Probe r = probe(raw)) {
            rawResult = live(r, count);
        }
        try (Probe b = probe(bgtasks)) {
            ourResult = live(b, count);
        }
        double ratio = (double) ourResult[0] / rawResult[0];
        boolean clean = rawResult[1] == count && ourResult[1] == count && rawResult[2] == 0 && ourResult[2] == 0;
        row(what, seconds(rawResult[0]), seconds(ourResult[0]), slower(ratio), "≤ raw", ratio <= 1, load);
        targets.add(new Section.Target(what.replaceFirst(": .*", "") + ": all " + count + " ran, none survived kill",
                "raw " + rawResult[1] + " ran, " + rawResult[2] + " survived; bgtasks " + ourResult[1] + " ran, "
                        + ourResult[2] + " survived", clean));
    }

    /** @return start milliseconds, tasks seen running, survivors after kill */
    private static long[] live(Probe p, int count) throws IOException {
        String marker = "600." + String.format("%06d", RANDOM.nextInt(1_000_000));
        return Arrays.stream(p.ask("live " + count + " " + marker).split(" ")).mapToLong(Long::parseLong).toArray();
    }

    private void latency(String kind, String variant) throws Exception {
        String load = Main.loadAverage();
        List<Double> raw = new ArrayList<>();
        List<Double> ours = new ArrayList<>();
        int incomplete = 0;
        try (Probe r = probe("tmux-raw"); Probe b = probe(kind)) {
            for (int i = 0; i < scale.rounds(); i++) {
                incomplete += latencies(r.ask("latency " + scale.roundTasks()), raw);
                incomplete += latencies(b.ask("latency " + scale.roundTasks()), ours);
            }
        }
        double[] rawMs = raw.stream().mapToDouble(Double::doubleValue).toArray();
        double[] ourMs = ours.stream().mapToDouble(Double::doubleValue).toArray();
        double median = Stats.median(ourMs);
        row("tmux" + variant + ": exit → callback, ms (median / p95)", medianP95(rawMs), medianP95(ourMs)
                        + (incomplete == 0 ? "" : " (" + incomplete + " logs incomplete at the callback)"),
                slower(median / Stats.median(rawMs)), "≤ 5 ms median, log complete",
                median <= 5 && incomplete == 0, load);
        targets.set(targets.size() - 1, new Section.Target("tmux" + variant + ": exit → callback ≤ 5 ms median, log complete",
                String.format("%.1f ms, %d logs incomplete", median, incomplete), median <= 5 && incomplete == 0));
    }

    /** Adds a latency answer's milliseconds to {@code into}; @return its incomplete logs */
    private static int latencies(String answer, List<Double> into) {
        String[] a = answer.split(" ");
        Arrays.stream(numbers(a[1])).forEach(into::add);
        return Integer.parseInt(a[0]);
    }

    private static String medianP95(double[] ms) {
        return String.format("%.1f / %.1f", Stats.median(ms), Stats.percentile(ms, 95));
    }

    private void output(String kind, String variant, String target, double bound) throws Exception {
        String load = Main.loadAverage();
        double[] raw = new double[scale.rounds()];
        double[] ours = new double[scale.rounds()];
        double[] ratios = new double[scale.rounds()];
        long shortAtCallback = 0;
        try (Probe r = probe("tmux-raw"); Probe b = probe(kind)) {
            for (int i = 0; i < scale.rounds(); i++) {
                raw[i] = Double.parseDouble(r.ask("output " + scale.throughputBytes()).split(" ")[0]);
                String[] a = b.ask("output " + scale.throughputBytes()).split(" ");
                ours[i] = Double.parseDouble(a[0]);
                shortAtCallback += Long.parseLong(a[1]) == scale.throughputBytes() ? 0 : 1;
                ratios[i] = ours[i] / raw[i];
            }
        }
        double ratio = Stats.median(ratios);
        row("tmux" + variant + ": " + (scale.throughputBytes() >> 20) + " MiB of output to the log, MiB/s",
                Table.num(Stats.median(raw)), Table.num(Stats.median(ours))
                        + (shortAtCallback == 0 ? "" : " (" + shortAtCallback + " logs short at the callback)"),
                Table.ratio(ratio), target, ratio >= bound, load);
    }

    private void row(String what, String raw, String ours, String ratio, String target, boolean met, String load) {
        table.row(what, raw, ours, ratio, target, Table.verdict(met), load);
        targets.add(new Section.Target(what + ": " + target, ratio, met));
        System.err.println("[bench]   " + what + ": raw " + raw + ", bgtasks " + ours + " (" + ratio + ")");
    }

    private Section section() {
        String md = "## What a user's harness sees (issue 8)\n\n"
                + "Each row: one fresh JVM per contender, " + WARMUP + " warm-up tasks in each, then "
                + scale.rounds() + " rounds of " + scale.roundTasks() + " sequential tasks, interleaved over the "
                + "contenders, each going first in every other round (rates: median round; ratio: median of "
                + "per-round ratios); \"after N more warm-up tasks\" rows run N more untimed first, so that both "
                + "JVMs have compiled their code. The live-task rows are one "
                + "round, one contender at a time; the output row is " + scale.rounds() + " interleaved runs of one "
                + "task. Every task has its own name and log file and is timed from `start()` to its end callback. "
                + "Raw process: `ProcessBuilder.start()` with output and errors to the task's file, to `onExit()` "
                + "completing. bgtasks: `BackgroundTasks.start(spec)` to the `CompletionListener` call. Raw tmux: "
                + "`tmux -L <private> new-session -d -s <name> '<cmd> > <log> 2>&1; echo $? > tmp; mv tmp <exit "
                + "file>'`, its end seen by Java's `WatchService` (inotify) on the exit file's directory. Load: the "
                + "1-minute load average when the row began.\n\n" + table
                + (notes.isEmpty() ? "" : "\n" + String.join("\n", notes) + "\n");
        return new Section(md, targets);
    }

    private Probe probe(String kind) throws IOException {
        Probe p = new Probe(kind, Files.createTempDirectory(work, kind + "-"));
        p.ask("starts " + WARMUP);
        return p;
    }

    private static double[] numbers(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    /** @return a ratio of times, worded as the issue does */
    private static String slower(double ratio) {
        return ratio <= 1 ? String.format("%.2fx (not slower)", ratio) : String.format("%.1fx slower", ratio);
    }

    private static String seconds(long millis) {
        return String.format("%.1f", millis / 1000.0);
    }

    /** A {@link ContenderProbe} JVM, asked one command at a time. */
    private static final class Probe implements AutoCloseable {
        private final String kind;
        private final Process process;
        private final Writer in;
        private final BufferedReader out;

        Probe(String kind, Path dir) throws IOException {
            this.kind = kind;
            this.process = Fork.start(ContenderProbe.class, kind, dir.toString());
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /** @return the answer's values, after {@code ok} */
        String ask(String command) throws IOException {
            in.write(command + "\n");
            in.flush();
            String answer = out.readLine();
            if (answer == null || !answer.startsWith("ok ")) {
                throw new IllegalStateException(kind + " probe answered '" + answer + "' to '" + command + "'");
            }
            return answer.substring(3);
        }

        @Override
        public void close() throws IOException, InterruptedException {
            in.write("quit\n");
            in.close();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(kind + " probe did not quit within 2 minutes");
            }
        }
    }
}
