package io.github.bgtasks.health;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * When a task is started again after it ended: {@link #never()} (the default), {@link #onFailure()}
 * or {@link #always()}, at most {@link #maxRestarts(int)} times (within a {@link #within window}
 * if given), after an exponential {@link #backoff(Duration, Duration) backoff} with jitter.
 *
 * <pre>{@code
 * .restart(RestartPolicy.onFailure().maxRestarts(3).backoff(Duration.ofMillis(200), Duration.ofSeconds(10)))
 * }</pre>
 *
 * <p>Each run is a task of its own: its own id ({@code web.1}, {@code web.2}...), log file and
 * result. A run that was stopped ({@code stop()}, {@code kill()}, {@code close()}) is never
 * restarted; a timed-out or lost run counts as failed. When the limit is reached the task gives
 * up with an {@link Alert.Kind#GAVE_UP} alert.
 *
 * <p>This class is immutable and thread-safe: each option returns a new policy.
 */
public final class RestartPolicy {
    /** Which ends are followed by a restart. */
    public enum Mode {
        /** No restart. */
        NEVER,
        /** After a failed, timed-out or lost run. */
        ON_FAILURE,
        /** After every run that was not stopped, also a successful one. */
        ALWAYS
    }

    static final Duration DEFAULT_INITIAL = Duration.ofSeconds(1);
    static final Duration DEFAULT_MAX = Duration.ofMinutes(1);
    private static final RestartPolicy NEVER = new RestartPolicy(Mode.NEVER, -1, null, DEFAULT_INITIAL, DEFAULT_MAX);

    private final Mode mode;
    private final int maxRestarts; // -1: unbounded
    private final Duration window;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    private RestartPolicy(Mode mode, int maxRestarts, Duration window, Duration initialBackoff, Duration maxBackoff) {
        this.mode = mode;
        this.maxRestarts = maxRestarts;
        this.window = window;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    /** @return the default policy: a task runs once */
    public static RestartPolicy never() {
        return NEVER;
    }

    /**
     * @return a policy that restarts a task after it failed, timed out or was lost, without limit
     *     until {@link #maxRestarts(int)}, after a backoff of 1 s doubling up to 1 min by default
     */
    public static RestartPolicy onFailure() {
        return new RestartPolicy(Mode.ON_FAILURE, -1, null, DEFAULT_INITIAL, DEFAULT_MAX);
    }

    /**
     * @return a policy that restarts a task after every end that was not a stop ("keep the dev
     *     server running"), with the defaults of {@link #onFailure()}
     */
    public static RestartPolicy always() {
        return new RestartPolicy(Mode.ALWAYS, -1, null, DEFAULT_INITIAL, DEFAULT_MAX);
    }

    /**
     * Limits the restarts; after the last one the task gives up.
     *
     * @param n how many restarts, 0 or more (0: give up at the first end that would restart)
     * @return a new policy
     * @throws IllegalArgumentException if n is negative
     * @throws IllegalStateException on {@link #never()}
     */
    public RestartPolicy maxRestarts(int n) {
        requireRestarting("maxRestarts");
        if (n < 0) {
            throw new IllegalArgumentException("maxRestarts must be 0 or more, was " + n);
        }
        return new RestartPolicy(mode, n, window, initialBackoff, maxBackoff);
    }

    /**
     * Counts only the restarts of the last {@code window}: a task that runs well for longer than
     * that earns its restarts back, and its backoff starts again from the initial delay.
     *
     * @param window a positive duration
     * @return a new policy
     * @throws IllegalArgumentException if the window is not positive
     */
    public RestartPolicy within(Duration window) {
        requireRestarting("within");
        return new RestartPolicy(mode, maxRestarts, requirePositive(window, "restart window"), initialBackoff,
                maxBackoff);
    }

    /**
     * Sets the delay before a restart: {@code initial}, doubled for each further restart (of the
     * window) up to {@code max}; each delay is then drawn at random from its upper half (jitter),
     * so that tasks failing together do not restart together.
     *
     * @param initial the first delay, positive
     * @param max the largest delay, positive and at least {@code initial}
     * @return a new policy
     * @throws IllegalArgumentException if a duration is not positive or initial exceeds max
     */
    public RestartPolicy backoff(Duration initial, Duration max) {
        requireRestarting("backoff");
        requirePositive(initial, "initial backoff");
        requirePositive(max, "max backoff");
        if (initial.compareTo(max) > 0) {
            throw new IllegalArgumentException("initial backoff " + initial + " must not exceed max backoff " + max);
        }
        return new RestartPolicy(mode, maxRestarts, window, initial, max);
    }

    private void requireRestarting(String option) {
        if (mode == Mode.NEVER) {
            throw new IllegalStateException(option + " has no effect on RestartPolicy.never(); "
                    + "start from onFailure() or always()");
        }
    }

    private static Duration requirePositive(Duration d, String what) {
        Objects.requireNonNull(d, what + " must not be null");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + d);
        }
        return d;
    }

    /** @return when the task is restarted */
    public Mode mode() {
        return mode;
    }

    /** @return the limit on restarts, or empty for none */
    public OptionalInt maxRestarts() {
        return maxRestarts < 0 ? OptionalInt.empty() : OptionalInt.of(maxRestarts);
    }

    /** @return the window the limit counts in, or empty: all restarts count */
    public Optional<Duration> window() {
        return Optional.ofNullable(window);
    }

    /** @return the delay before the first restart (before jitter) */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /** @return the largest delay before a restart (before jitter) */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /**
     * The delay before a restart, before jitter.
     *
     * @param restartsBefore how many restarts of the window came before this one, 0 or more
     * @return {@code initial * 2^restartsBefore}, at most {@code max}
     */
    public Duration backoffBefore(int restartsBefore) {
        Duration d = initialBackoff;
        for (int i = 0; i < restartsBefore && d.compareTo(maxBackoff) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    @Override
    public String toString() {
        if (mode == Mode.NEVER) {
            return "RestartPolicy{never}";
        }
        return "RestartPolicy{" + mode.name().toLowerCase(java.util.Locale.ROOT)
                + (maxRestarts < 0 ? "" : " max " + maxRestarts) + (window == null ? "" : " within " + window)
                + " backoff " + initialBackoff + ".." + maxBackoff + "}";
    }
}
