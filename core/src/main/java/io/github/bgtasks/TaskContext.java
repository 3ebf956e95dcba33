package io.github.bgtasks;

import io.github.bgtasks.spi.LogStore;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * What a {@link Task} needs from the instance that runs it, and nothing more, so that the state
 * machine never reaches back up to the facade. This class is immutable and thread-safe.
 *
 * @param backendName the backend's name, for messages
 * @param clock the clock for start times
 * @param ticker the source of nanoseconds for durations and timers
 * @param threads the instance's threads
 * @param logs where logs are kept
 * @param logScan how logs are read
 * @param onEnd told once a task has ended (the registry frees its name)
 * @param hints the hints for failed results and alerts
 */
record TaskContext(String backendName, Clock clock, Ticker ticker, EngineThreads threads, LogStore logs,
        LogScan logScan,
        Consumer<Task> onEnd, io.github.bgtasks.health.Hints hints) {
}
