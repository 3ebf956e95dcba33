package io.github.bgtasks.internal;

import java.time.Duration;
import java.util.Locale;

/**
 * Formats and checks durations for people.
 *
 * <p><b>Not API:</b> public only so that the bgtasks modules share it; it may change in any
 * release. This class is thread-safe.
 */
public final class Durations {
    private Durations() {
    }

    /** Formats a duration for people: {@code 850 ms}, {@code 1.5 s}, {@code 2m 05s}, {@code 1h 02m 03s}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = ms / 1000;
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh %02dm %02ds", s / 3600, (s / 60) % 60, s % 60);
    }

    /** Rejects null, zero, negative and absurdly long durations, naming the parameter. */
    public static Duration requirePositive(Duration d, String what) {
        if (d == null) {
            throw new NullPointerException(what + " must not be null");
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + d);
        }
        if (d.compareTo(Duration.ofDays(365 * 100)) > 0) {
            throw new IllegalArgumentException(what + " must be at most 100 years, was " + d);
        }
        return d;
    }
}
