package io.github.bgtasks.benchmarks;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.slurm.SlurmBackend;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Slurm backend on a private single-node cluster started with {@code scripts/slurm-up}
 * (munged, slurmctld and slurmd on this machine): start rate (one {@code sbatch} per start),
 * and exit-notice latency from the program's end to the listener, for two poll intervals.
 */
final class SlurmRows {
    private static final String LATENCY_SCRIPT = "sleep 0.05; exec date +%s%N";

    private SlurmRows() {
    }

    static Section run(Scale scale, Path work) throws Exception {
        Optional<Path> scripts = scripts();
        if (scripts.isEmpty() || !Files.isExecutable(Path.of("/usr/sbin/slurmctld"))) {
            return new Section("## Slurm backend (single-node cluster)\n\nNot measured: slurm-wlm is not installed or "
                    + "scripts/slurm-up was not found (run scripts/setup, and the benchmark from the repository)\n", List.of());
        }
        Path dir = Files.createDirectories(work.resolve("slurm"));
        Process up = new ProcessBuilder(scripts.get().resolve("slurm-up").toString(), dir.toString(),
                String.valueOf(freePort()), String.valueOf(freePort())).inheritIO().start();
        if (!up.waitFor(3, TimeUnit.MINUTES) || up.exitValue() != 0) {
            down(scripts.get(), dir);
            throw new IllegalStateException("scripts/slurm-up failed; see its output above");
        }
        int starts = Math.max(10, scale.starts() / 5);
        Table table = new Table("measure", "n", "result");
        List<Section.Target> targets = new ArrayList<>();
        try {
            for (Duration poll : List.of(Duration.ofSeconds(1), Duration.ofMillis(200))) {
                SlurmBackend b = SlurmBackend.builder().slurmConf(dir.resolve("slurm.conf")).pollInterval(poll)
                        .stateDirectory(work.resolve("slurm-state-" + poll.toMillis())).build();
                try (BackgroundTasks tasks = Subjects.build(b, work.resolve("slurm-logs-" + poll.toMillis()))) {
                    if (poll.toMillis() == 1000) {
                        List<TaskHandle> hs = new ArrayList<>();
                        long t0 = System.nanoTime();
                        for (int i = 0; i < starts; i++) {
                            hs.add(tasks.start(TaskSpec.builder("true").build()));
                        }
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        hs.forEach(Subjects::await);
                        table.row("start rate, one caller thread (one sbatch each)", starts,
                                Table.num(starts / seconds) + " starts/s");
                    }
                    double[] ms = new double[Math.max(5, scale.latencyRuns() / 4)];
                    for (int i = 0; i < ms.length; i++) {
                        TaskHandle h = tasks.start(TaskSpec.shell(LATENCY_SCRIPT).build());
                        CompletableFuture<Long> noticed = new CompletableFuture<>();
                        h.addListener(r -> noticed.complete(epochNanos()));
                        long at = Subjects.await(noticed, h);
                        String printed = Files.readString(h.logFile()).replaceAll("[^0-9]", "");
                        ms[i] = (at - Long.parseLong(printed)) / 1e6;
                    }
                    table.row("exit-notice latency, poll every " + poll.toMillis() + " ms, median (p90)", ms.length,
                            String.format("%.1f ms (%.1f ms)", Stats.median(ms), Stats.percentile(ms, 90)));
                    if (poll.toMillis() == 1000) {
                        targets.add(new Section.Target("Slurm exit noticed within about one poll (1 s) + slurmctld's "
                                + "own end of the job, median", String.format("%.1f ms", Stats.median(ms)),
                                Stats.median(ms) <= 3000));
                    }
                }
            }
        } finally {
            down(scripts.get(), dir);
        }
        String md = "## Slurm backend (single-node cluster)\n\nA private cluster from Debian's slurm-wlm started by "
                + "`scripts/slurm-up` on this machine (select/cons_tres, proctrack/linuxproc, no accounting database). "
                + "Latency: from the program's last act (`sh -c '" + LATENCY_SCRIPT + "'`) to the listener: the job's "
                + "end in slurmctld, the next poll (one `squeue` for all jobs), the core's hand-over.\n\n" + table;
        return new Section(md, targets);
    }

    private static Optional<Path> scripts() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isExecutable(p.resolve("scripts/slurm-up"))) {
            p = p.getParent();
        }
        return Optional.ofNullable(p).map(x -> x.resolve("scripts"));
    }

    private static void down(Path scripts, Path dir) throws IOException, InterruptedException {
        new ProcessBuilder(scripts.resolve("slurm-down").toString(), dir.toString()).inheritIO().start()
                .waitFor(1, TimeUnit.MINUTES);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
