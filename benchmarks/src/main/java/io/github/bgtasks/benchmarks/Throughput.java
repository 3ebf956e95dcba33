package io.github.bgtasks.benchmarks;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Output throughput: a task writes a large amount of zeros to stdout, logged by bgtasks, against
 * the same {@code head} writing to a file through a shell redirect. Runs alternate between the
 * two so that the page cache treats them alike; every file is checked for its exact size and
 * deleted at once. While bgtasks runs, a sampler records the JVM's peak resident set size.
 */
final class Throughput {
    /** Memory counts as flat when the JVM's peak RSS grows by less than this. */
    private static final long FLAT_RSS_BYTES = 32L << 20;
    private static final long SAMPLE_MILLIS = 10;

    private Throughput() {
    }

    static Section run(Scale scale, Path work) throws Exception {
        long bytes = scale.throughputBytes();
        String size = Long.toString(bytes);
        Path dir = Files.createDirectories(work.resolve("throughput"));
        double[] direct = new double[scale.throughputRuns()];
        double[] logged = new double[scale.throughputRuns()];
        try (BackgroundTasks tasks = Subjects.process(dir.resolve("logs"))) {
            runLogged(tasks, "1"); // warm-up, so that the baseline below holds the classes used
            long heapBefore = Processes.heapUsedAfterGc();
            long rssBefore = Processes.rssBytes();
            AtomicLong rssPeak = new AtomicLong(rssBefore);
            Thread sampler = new Thread(() -> sampleRss(rssPeak), "rss-sampler");
            sampler.setDaemon(true);
            sampler.start();
            for (int i = 0; i < scale.throughputRuns(); i++) {
                direct[i] = runDirect(dir.resolve("direct.bin"), bytes);
                logged[i] = runLogged(tasks, size);
            }
            sampler.interrupt();
            sampler.join();
            long heapAfter = Processes.heapUsedAfterGc();
            long rssAfter = Processes.rssBytes();
            return report(scale, direct, logged, heapBefore, heapAfter, rssBefore, rssPeak.get(), rssAfter);
        }
    }

    /** @return MB/s (10^6 bytes per second) of {@code head > file} in a shell */
    private static double runDirect(Path file, long bytes) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("/bin/sh", "-c", "head -c " + bytes + " /dev/zero > \"$1\"", "sh",
                file.toString()).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("head > file exited with " + p.exitValue());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        checkSizeAndDelete(file, bytes);
        return bytes / seconds / 1e6;
    }

    /** @return MB/s of {@code head} started by bgtasks, until {@code onExit()} completes */
    private static double runLogged(BackgroundTasks tasks, String bytes) throws Exception {
        long t0 = System.nanoTime();
        TaskResult r = Subjects.await(tasks.start(TaskSpec.builder("head", "-c", bytes, "/dev/zero").build()));
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (r.state() != TaskState.SUCCEEDED) {
            throw new IllegalStateException("head under bgtasks ended " + r);
        }
        checkSizeAndDelete(r.logFile(), Long.parseLong(bytes));
        return Long.parseLong(bytes) / seconds / 1e6;
    }

    private static void checkSizeAndDelete(Path file, long expected) throws Exception {
        long actual = Files.size(file);
        Files.delete(file);
        if (actual != expected) {
            throw new IllegalStateException(file + " holds " + actual + " bytes, expected exactly " + expected);
        }
    }

    private static void sampleRss(AtomicLong peak) {
        while (!Thread.currentThread().isInterrupted()) {
            peak.accumulateAndGet(Processes.rssBytes(), Math::max);
            try {
                Thread.sleep(SAMPLE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static Section report(Scale scale, double[] direct, double[] logged, long heapBefore, long heapAfter,
            long rssBefore, long rssPeak, long rssAfter) {
        // Paired like the start rate: each bgtasks run against the direct run just before it,
        // because disk bandwidth on a shared machine drifts by several times within a minute.
        double[] ratios = new double[logged.length];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = logged[i] / direct[i];
        }
        double ratio = Stats.median(ratios);
        String mib = (scale.throughputBytes() >> 20) + " MiB";
        Table speed = new Table("how", "MB/s (median)", "runs (MB/s)", "vs `head > file` (median of per-pair ratios)");
        speed.row("`sh -c 'head -c … /dev/zero > file'`", Table.num(Stats.median(direct)), join(direct), "1.00x");
        speed.row("bgtasks, process backend: `head -c … /dev/zero` → log", Table.num(Stats.median(logged)),
                join(logged), Table.ratio(ratio));
        Table memory = new Table("JVM memory", "before", "peak during", "after");
        memory.row("heap used (after a full GC)", Processes.mib(heapBefore), "–", Processes.mib(heapAfter));
        memory.row("RSS (`VmRSS`, sampled every " + SAMPLE_MILLIS + " ms)", Processes.mib(rssBefore),
                Processes.mib(rssPeak), Processes.mib(rssAfter));
        boolean flat = rssPeak - rssBefore < FLAT_RSS_BYTES;
        String md = "## Throughput: " + mib + " to stdout\n\n" + scale.throughputRuns() + " runs each, alternating "
                + "(direct, then bgtasks: one pair); "
                + "timed from start to completion; every file checked to hold exactly " + scale.throughputBytes()
                + " bytes, then deleted.\n\n" + speed + "\n" + memory;
        List<Section.Target> targets = new ArrayList<>();
        targets.add(new Section.Target("logged " + mib + " at ≥ 0.8x `cmd > file`", Table.ratio(ratio),
                ratio >= 0.8));
        targets.add(new Section.Target("JVM memory flat while logging (peak RSS growth < 32 MiB)",
                "+" + Processes.mib(rssPeak - rssBefore), flat));
        return new Section(md, targets);
    }

    private static String join(double[] values) {
        List<String> s = new ArrayList<>();
        for (double v : values) {
            s.add(Table.num(v));
        }
        return String.join(", ", s);
    }
}
