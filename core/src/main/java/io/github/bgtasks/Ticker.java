package io.github.bgtasks;

/**
 * A source of nanoseconds for measuring durations, as {@link System#nanoTime()}: only
 * differences between two readings mean anything. Replaced in tests to run the state machine in
 * virtual time (Caffeine's {@code Ticker}). Package-private on purpose: the tests that need it
 * live in this package, and a public seam is API forever; the testkit module can publish it.
 */
@FunctionalInterface
interface Ticker {
    /** The JVM's monotonic clock. */
    Ticker SYSTEM = System::nanoTime;

    /** @return the current reading, in nanoseconds */
    long read();
}
