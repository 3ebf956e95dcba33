package io.github.bgtasks;

import java.time.Duration;
import java.util.Objects;

/**
 * The waits that {@link BackgroundTasks} does not offer as options but that are still settings,
 * not constants, so that tests can shorten them. This record is immutable and thread-safe.
 *
 * @param defaultStopGrace how long a stop waits after SIGTERM when neither the spec nor the
 *     builder says: 10 s
 * @param killWait how long {@code close()} waits, after the longest grace period, for tasks that
 *     were sent SIGKILL: 5 s
 * @param drainWait how long {@code close()} lets queued events and callbacks run: 5 s
 * @param idleThreadKeepAlive how long an idle event or callback thread lives: 30 s
 */
record Delays(Duration defaultStopGrace, Duration killWait, Duration drainWait, Duration idleThreadKeepAlive) {
    /** The defaults. */
    static final Delays DEFAULT = new Delays(Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofSeconds(30));

    Delays {
        Objects.requireNonNull(defaultStopGrace, "defaultStopGrace");
        Objects.requireNonNull(killWait, "killWait");
        Objects.requireNonNull(drainWait, "drainWait");
        Objects.requireNonNull(idleThreadKeepAlive, "idleThreadKeepAlive");
    }
}
