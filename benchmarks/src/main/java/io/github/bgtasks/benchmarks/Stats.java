package io.github.bgtasks.benchmarks;

import java.util.Arrays;

/** Order statistics over a set of samples. Medians, because 2 cores make means noisy. */
final class Stats {
    private Stats() {
    }

    static double median(double[] samples) {
        return percentile(samples, 50);
    }

    /** Nearest-rank percentile: always one of the samples, never an interpolation. */
    static double percentile(double[] samples, double p) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double max(double[] samples) {
        return Arrays.stream(samples).max().orElseThrow();
    }
}
