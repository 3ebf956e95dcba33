package io.github.bgtasks.benchmarks;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The SSH backend over loopback (a private sshd on 127.0.0.1, so network time is near zero and
 * what is measured is ssh, the remote shell and tmux): start rate, exit-notice latency, and many
 * concurrent remote tasks, with the JVM's threads and ssh processes counted before and at peak.
 */
final class SshRows {
    private static final String LATENCY_SCRIPT = "sleep 0.05; exec date +%s%N";

    private SshRows() {
    }

    static Section run(Scale scale, Path work) throws Exception {
        if (LoopbackSshd.unavailable().isPresent()) {
            return new Section("## SSH backend (loopback)\n\nNot measured: " + LoopbackSshd.unavailable().orElseThrow()
                    + "\n", List.of());
        }
        int starts = Math.max(10, scale.starts() / 5);
        int concurrent = scale.tmuxConcurrent();
        Table table = new Table("measure", "n", "result");
        List<Section.Target> targets = new ArrayList<>();
        try (LoopbackSshd sshd = new LoopbackSshd(work)) {
            try (BackgroundTasks tasks = Subjects.build(sshd.backend(work.resolve("ssh-remote-1"), 1000),
                    work.resolve("ssh-logs-1"))) {
                List<TaskHandle> hs = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int i = 0; i < starts; i++) {
                    hs.add(tasks.start(TaskSpec.builder("true").build()));
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                hs.forEach(Subjects::await);
                table.row("start rate, one caller thread (validate + log + launch: 3 multiplexed ssh calls each)", starts,
                        Table.num(starts / seconds) + " starts/s");

                double[] ms = new double[Math.max(5, scale.latencyRuns() / 2)];
                for (int i = 0; i < ms.length; i++) {
                    TaskHandle h = tasks.start(TaskSpec.shell(LATENCY_SCRIPT).build());
                    CompletableFuture<Long> noticed = new CompletableFuture<>();
                    h.addListener(r -> noticed.complete(epochNanos()));
                    long at = Subjects.await(noticed, h);
                    String printed = Files.readString(h.logFile()).replaceAll("[^0-9]", "");
                    ms[i] = (at - Long.parseLong(printed)) / 1e6;
                }
                table.row("exit-notice latency, median (p90)", ms.length, String.format("%.1f ms (%.1f ms)",
                        Stats.median(ms), Stats.percentile(ms, 90)));
                targets.add(new Section.Target("SSH exit noticed ≤ 200 ms median (loopback)",
                        String.format("%.1f ms", Stats.median(ms)), Stats.median(ms) <= 200));
            }
            try (BackgroundTasks tasks = Subjects.build(sshd.backend(work.resolve("ssh-remote-2"), 1000),
                    work.resolve("ssh-logs-2"))) {
                // Started in two halves by the same 8 threads; counted after each half, so that what
                // is counted is what grows with the number of tasks (the JDK's process-reaper
                // threads and the engine's pool are warm after the first half).
                ExecutorService starters = Executors.newFixedThreadPool(8);
                List<TaskHandle> hs = new ArrayList<>();
                hs.addAll(startAll(tasks, starters, concurrent / 2));
                int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
                long sshBefore = sshChildren();
                hs.addAll(startAll(tasks, starters, concurrent - concurrent / 2));
                long running = hs.stream().filter(h -> !h.onExit().isDone()).count();
                int threadsPeak = ManagementFactory.getThreadMXBean().getThreadCount();
                long sshPeak = sshChildren();
                starters.shutdown();
                table.row("concurrent remote tasks running", concurrent, running);
                table.row("JVM threads with half → all of them running", concurrent,
                        threadsBefore + " → " + threadsPeak);
                table.row("ssh processes (connections) with half → all of them running", concurrent, sshBefore + " → " + sshPeak);
                targets.add(new Section.Target(concurrent + " remote tasks: threads and connections flat",
                        "threads " + threadsBefore + " → " + threadsPeak + ", ssh " + sshBefore + " → " + sshPeak,
                        running == concurrent && threadsPeak <= threadsBefore + 2 && sshPeak <= sshBefore));
            }
        }
        String md = "## SSH backend (loopback)\n\nA private sshd on 127.0.0.1, one host, one multiplexed connection. "
                + "Latency as in the exit-notice section (`sh -c '" + LATENCY_SCRIPT + "'`); it includes the log pipe's "
                + "end, the events file and its `tail -F`, and the stream over ssh.\n\n" + table;
        return new Section(md, targets);
    }

    private static List<TaskHandle> startAll(BackgroundTasks tasks, ExecutorService starters, int n) throws Exception {
        List<Future<TaskHandle>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(starters.submit(() -> tasks.start(TaskSpec.builder("sleep", "1000").build())));
        }
        List<TaskHandle> hs = new ArrayList<>();
        for (Future<TaskHandle> f : fs) {
            hs.add(f.get());
        }
        return hs;
    }

    /** @return the ssh client processes that are this JVM's children (the master connections, between calls) */
    private static long sshChildren() {
        return ProcessHandle.current().children()
                .filter(p -> p.info().command().map(c -> c.endsWith("/ssh")).orElse(false)).count();
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
