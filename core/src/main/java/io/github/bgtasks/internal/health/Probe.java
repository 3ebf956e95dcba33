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

    /**
     * Says that a run answers at once without waiting on anything outside the JVM but a local
     * file (a log read): the engine then runs it in line, with no timer and no thread hop, where
     * it tries often (readiness). Such a probe must be a {@link Sync}.
     *
     * @return true for such a probe; false by default
     */
    default boolean quick() {
        return false;
    }

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
