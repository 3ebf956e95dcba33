package io.github.bgtasks.internal.health;

import io.github.bgtasks.health.CheckResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One check (or readiness condition) bound to one task, with whatever it remembers between runs
 * (a log offset, the last CPU reading). Runs are never concurrent for one probe.
 */
public interface Probe {

    /**
     * Runs once, on the check pool: may read a file or {@code /proc}, or start asynchronous
     * work and return its future. The engine cuts the run at {@code timeout} in any case.
     *
     * @param timeout the run's timeout, for work that can pass it on (a connect, a request)
     * @return the result
     */
    CompletableFuture<CheckResult> check(Duration timeout) throws Exception;

    /** Makes a probe for one task. Thread-safe. */
    @FunctionalInterface
    interface Factory {
        /** @return a new probe for the task */
        Probe open(Target target);
    }

    /** A probe that answers at once, on the pool's thread. */
    @FunctionalInterface
    interface Sync extends Probe {
        CheckResult now(Duration timeout) throws Exception;

        @Override
        default CompletableFuture<CheckResult> check(Duration timeout) throws Exception {
            return CompletableFuture.completedFuture(now(timeout));
        }
    }
}
