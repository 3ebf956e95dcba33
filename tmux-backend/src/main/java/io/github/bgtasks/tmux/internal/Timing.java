package io.github.bgtasks.tmux.internal;

import io.github.bgtasks.internal.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The backend's time, from one source: where its nanoseconds come from, and every limit and
 * delay it applies. Only {@link #tmuxLimit} is a public setting
 * ({@code TmuxBackend.Builder.tmuxTimeout}); the rest are settings for tests, which can make a
 * backend decide sooner, or count time on a fake ticker. The wrapper script's own timeouts come
 * from each task's launch (its timeout and grace period), not from here. This class is
 * immutable and thread-safe.
 *
 * @param ticker the source of nanoseconds for every interval the backend measures
 *     ({@link System#nanoTime()} by default)
 * @param tmuxLimit how long one tmux call may take in all
 * @param noProgress how long neither a tmux client nor its server may move before a call counts as wedged
 * @param helperLimit how long a helper program other than tmux (env, kill, mkfifo, {@code tmux -V}) may take
 * @param sweepPeriod how often the sweep looks for ends that file events missed
 * @param settle how long a half-seen end waits for the rest (an exit record for the log's end, a
 *     gone session for an exit record), and how long a given-up start's go FIFO stays open
 * @param readyWait how long a stop waits for a task just started to have its signal handlers in place
 * @param killSessionDelay how long after a SIGKILL the session is killed too, if the task has not ended
 * @param goWait how long {@code close()} lets wrappers that have not read their go yet read it
 */
public record Timing(LongSupplier ticker, Duration tmuxLimit, Duration noProgress, Duration helperLimit,
        Duration sweepPeriod, Duration settle, Duration readyWait, Duration killSessionDelay, Duration goWait) {

    /**
     * The defaults: tmux calls may take two minutes in all (a busy machine slows tmux down a
     * lot) but fail after 15 s without any progress; helpers may take a minute; a sweep every
     * 2 s; 1 s to settle; 0.5 s for a new task's handlers; a session killed 2 s after a SIGKILL;
     * 1 s for the go at close.
     */
    public static final Timing DEFAULT = new Timing(System::nanoTime, Duration.ofMinutes(2), Duration.ofSeconds(15),
            Duration.ofMinutes(1), Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMillis(500),
            Duration.ofSeconds(2), Duration.ofSeconds(1));

    /** Checks that there is a ticker and that every duration is positive. */
    public Timing {
        Objects.requireNonNull(ticker, "ticker must not be null");
        Durations.requirePositive(tmuxLimit, "tmux timeout");
        Durations.requirePositive(noProgress, "no-progress limit");
        Durations.requirePositive(helperLimit, "helper limit");
        Durations.requirePositive(sweepPeriod, "sweep period");
        Durations.requirePositive(settle, "settle time");
        Durations.requirePositive(readyWait, "ready wait");
        Durations.requirePositive(killSessionDelay, "kill-session delay");
        Durations.requirePositive(goWait, "go wait");
    }

    /** @return the ticker's reading, in nanoseconds */
    public long nanos() {
        return ticker.getAsLong();
    }

    /**
     * @param t the source of nanoseconds
     * @return a copy with it
     */
    public Timing withTicker(LongSupplier t) {
        return new Timing(t, tmuxLimit, noProgress, helperLimit, sweepPeriod, settle, readyWait, killSessionDelay, goWait);
    }

    /**
     * @param d how long one tmux call may take
     * @return a copy with it
     */
    public Timing withTmuxLimit(Duration d) {
        return new Timing(ticker, d, noProgress, helperLimit, sweepPeriod, settle, readyWait, killSessionDelay, goWait);
    }

    /**
     * @param d how long nothing may move before a tmux call counts as wedged
     * @return a copy with it
     */
    public Timing withNoProgress(Duration d) {
        return new Timing(ticker, tmuxLimit, d, helperLimit, sweepPeriod, settle, readyWait, killSessionDelay, goWait);
    }

    @Override
    public String toString() {
        return "Timing{tmuxLimit=" + tmuxLimit + ", noProgress=" + noProgress + ", helperLimit=" + helperLimit
                + ", sweepPeriod=" + sweepPeriod + ", settle=" + settle + ", readyWait=" + readyWait
                + ", killSessionDelay=" + killSessionDelay + ", goWait=" + goWait + "}";
    }
}
