package io.github.bgtasks;

/**
 * A source of nanoseconds for measuring durations, as {@link System#nanoTime()}: only
 * differences between two readings mean anything. Primarily for tests, which run timeouts and
 * grace periods in virtual time through {@link BackgroundTasks.Builder#ticker(Ticker)} (Caffeine's
 * {@code Ticker}); the testkit module's {@code FakeTicker} is one. Implementations must be
 * thread-safe and never go backwards.
 */
@FunctionalInterface
public interface Ticker {
    /** The JVM's monotonic clock. */
    Ticker SYSTEM = System::nanoTime;

    /** @return the current reading, in nanoseconds */
    long read();
}
