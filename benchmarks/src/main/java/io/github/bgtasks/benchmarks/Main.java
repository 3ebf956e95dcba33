package io.github.bgtasks.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs every benchmark of bgtasks against raw {@code ProcessBuilder}, zt-exec and
 * commons-exec, prints the results as Markdown and writes them to a file.
 *
 * <p>Run it from the repository root with {@code mvn -q -DskipTests install && mvn -q -pl
 * benchmarks exec:exec}; see BENCHMARKS.md for the method behind every row.
 */
public final class Main {
    private Main() {
    }

    /**
     * Runs the benchmarks.
     *
     * @param args the report file (default {@code benchmarks.md}), then the scale: {@code full}
     *     (default, about 5 minutes) or {@code quick} (a smoke run of the harness), optionally
     *     followed by {@code :side-by-side} (or {@code :side-by-side-tmux}, its tmux rows), {@code :start-rate}, {@code :supervision}, {@code :watch}, {@code :ssh} or {@code :slurm} to run only that section (e.g.
     *     {@code full:side-by-side}, issue 8's table)
     * @throws Exception if a contender failed; nothing is reported then
     */
    public static void main(String[] args) throws Exception {
        Path report = Path.of(args.length > 0 ? args[0] : "benchmarks.md").toAbsolutePath();
        String[] mode = (args.length > 1 ? args[1] : "full").split(":", 2);
        Scale scale = Scale.named(mode[0]);
        String only = mode.length > 1 ? checkOnly(mode[1]) : null;
        Instant began = Instant.now();
        Path work = Files.createTempDirectory("bgtasks-bench-");
        List<Section> sections = new ArrayList<>();
        List<String> load = new ArrayList<>();
        try (TmuxServer tmux = new TmuxServer()) {
            if (only == null || only.startsWith("side-by-side")) {
                boolean tmuxOnly = "side-by-side-tmux".equals(only);
                sections.add(progress("side by side", load, () -> SideBySide.run(scale, work, tmuxOnly)));
            }
            if (only == null || only.equals("start-rate")) {
                sections.add(progress("start rate", load, () -> StartRate.run(scale, work, tmux)));
            }
            if (only == null || only.equals("supervision")) {
                sections.add(progress("supervision", load, () -> Supervision.run(scale, work)));
            }
            if (only == null || only.equals("watch")) {
                sections.add(progress("watch", load, () -> WatchLatency.run(scale, work)));
            }
            if (only == null || only.equals("ssh")) {
                sections.add(progress("ssh", load, () -> SshRows.run(scale, work)));
            }
            if (only == null || only.equals("slurm")) {
                sections.add(progress("slurm", load, () -> SlurmRows.run(scale, work)));
            }
            if (only == null) {
                sections.add(progress("exit latency", load, () -> ExitLatency.run(scale, work, tmux)));
                sections.add(progress("throughput", load, () -> Throughput.run(scale, work)));
                // Last: thousands of threads and processes push the load average up for a minute.
                sections.add(progress("threads", load, () -> Concurrency.run(scale, work, tmux)));
            }
        } finally {
            deleteTree(work);
        }
        String md = render(sections, load, scale, began);
        Files.createDirectories(report.getParent());
        Files.writeString(report, md);
        System.out.println(md);
        System.out.println("(written to " + report + ")");
    }

    private static String checkOnly(String section) {
        if (!List.of("start-rate", "side-by-side", "side-by-side-tmux", "supervision", "watch", "ssh", "slurm").contains(section)) {
            throw new IllegalArgumentException("unknown section '" + section
                    + "'; only start-rate, side-by-side, side-by-side-tmux (its tmux rows), supervision, watch, ssh and slurm can run alone");
        }
        return section;
    }

    /** One benchmark section, run with a line on stderr so that a long run shows progress. */
    @FunctionalInterface
    private interface Benchmark {
        Section run() throws Exception;
    }

    /**
     * Runs one section with a progress line on stderr, and notes the machine's load around it:
     * on a shared 2-core machine, a build running next to the benchmark shows up there.
     */
    private static Section progress(String name, List<String> load, Benchmark benchmark) throws Exception {
        long t0 = System.nanoTime();
        System.err.println("[bench] " + name + " ...");
        String loadBefore = loadAverage();
        Section s = benchmark.run();
        load.add(name + " " + loadBefore + " → " + loadAverage());
        System.err.printf("[bench] %s done in %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
        return s;
    }

    /** @return the 1-minute load average */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String render(List<Section> sections, List<String> load, Scale scale, Instant began) {
        Table summary = new Table("target", "measured", "verdict");
        sections.stream().flatMap(s -> s.targets().stream())
                .forEach(t -> summary.row(t.what(), t.measured(), Table.verdict(t.met())));
        StringBuilder md = new StringBuilder("# bgtasks benchmark results\n\n")
                .append(machine(began)).append("Scale: ").append(scale == Scale.FULL ? "full" : "quick")
                .append("; run took ").append(Duration.between(began, Instant.now()).toSeconds())
                .append(" s. Load (1-minute average) before → after each section: ")
                .append(String.join(", ", load)).append(".\n\n")
                .append("## Targets\n\n").append(summary);
        sections.forEach(s -> md.append('\n').append(s.markdown()));
        return md.toString();
    }

    private static String machine(Instant began) {
        return "Machine: " + Runtime.getRuntime().availableProcessors() + " cores (" + cpuModel() + "), Linux "
                + System.getProperty("os.version") + ", Java " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vm.name") + "), " + Commands.firstLine("tmux", "-V")
                + ", run started at " + began.toString().substring(0, 16) + "Z.\n\n";
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
