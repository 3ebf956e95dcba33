package io.github.bgtasks.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition by polling it, as Awaitility does. The testkit has its own so that its
 * module descriptor names only modules with stable names: Awaitility's jar declares none, and a
 * published module must not require a name derived from a file name.
 */
final class Waits {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private Waits() {
    }

    /**
     * Returns when {@code condition} holds; fails after {@code patience}, which only a hung test
     * reaches, with {@code what} and the state {@code now} describes at that moment.
     */
    static void until(Duration patience, String what, BooleanSupplier condition, Supplier<String> now) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("waited " + patience + " for " + what + "; now: " + now.get());
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for " + what);
            }
        }
    }
}
