package io.github.bgtasks.internal.health;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One check (or readiness condition) bound to one task, with whatever it remembers between runs
 * (a log offset, the last CPU reading). Runs are never concurrent for one probe. Generic in its
 * result so that this package stays below the public health types it carries.
 *
 * @param <R> the result of one run
 */
public interface Probe<R> {

    /**
     * Runs once, on the check pool: may read a file or {@code /proc}, or start asynchronous
     * work and return its future. The engine cuts the run at {@code timeout} in any case.
     *
     * @param timeout the run's timeout, for work that can pass it on (a connect, a request)
     * @return the result
     */
    CompletableFuture<R> check(Duration timeout) throws Exception;

    /** Makes a probe for one task. Thread-safe. */
    @FunctionalInterface
    interface Factory<R> {
        /** @return a new probe for the task */
        Probe<R> open(Target target);
    }

    /** A probe that answers at once, on the pool's thread. */
    @FunctionalInterface
    interface Sync<R> extends Probe<R> {
        R now(Duration timeout) throws Exception;

        @Override
        default CompletableFuture<R> check(Duration timeout) throws Exception {
            return CompletableFuture.completedFuture(now(timeout));
        }
    }
}
