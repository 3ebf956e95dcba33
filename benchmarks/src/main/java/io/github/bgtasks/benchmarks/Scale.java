package io.github.bgtasks.benchmarks;

/**
 * How much work each measurement does. {@link #FULL} is what BENCHMARKS.md reports; {@link
 * #QUICK} is a smoke run (about a minute) for checking the harness itself.
 *
 * @param starts tasks per timed start-rate round
 * @param warmup untimed runs before the start-rate and latency rounds
 * @param rounds start-rate rounds per contender (medians over rounds are reported)
 * @param roundTasks sequential tasks per round of the side-by-side rows (issue 8)
 * @param concurrent tasks held running at once for the thread count
 * @param tmuxConcurrent tmux sessions held running at once
 * @param latencyRuns timed exit-latency runs per contender
 * @param throughputBytes bytes the throughput task writes
 * @param throughputRuns throughput runs per contender (the median of paired ratios is reported)
 */
record Scale(int starts, int warmup, int rounds, int roundTasks, int concurrent, int tmuxConcurrent, int latencyRuns,
        long throughputBytes, int throughputRuns) {

    static final Scale FULL = new Scale(500, 100, 5, 50, 1000, 200, 50, 512L << 20, 5);
    static final Scale QUICK = new Scale(50, 10, 1, 10, 100, 20, 10, 32L << 20, 1);

    static Scale named(String name) {
        return switch (name) {
            case "full" -> FULL;
            case "quick" -> QUICK;
            default -> throw new IllegalArgumentException("unknown scale '" + name + "'; use full or quick");
        };
    }
}
