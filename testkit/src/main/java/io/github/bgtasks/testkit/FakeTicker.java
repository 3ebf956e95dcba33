package io.github.bgtasks.testkit;

import io.github.bgtasks.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Virtual time for tests (Caffeine's {@code FakeTicker}): nanoseconds that move only when the
 * test says, and a clock that moves with them. Use it with a {@link FakeScheduler}, which runs
 * the timers that become due. This class is thread-safe.
 */
public final class FakeTicker implements Ticker {
    private static final Instant EPOCH = Instant.parse("2030-01-01T00:00:00Z");
    private final AtomicLong nanos = new AtomicLong();

    /** Creates a ticker that reads 0, with its clock at 2030-01-01T00:00:00Z. */
    public FakeTicker() {
    }

    /** @return the nanoseconds moved so far */
    @Override
    public long read() {
        return nanos.get();
    }

    /**
     * Moves time forward; timers are run by {@link FakeScheduler#advance(Duration)}, not here.
     *
     * @param d how far, not negative
     * @throws IllegalArgumentException if {@code d} is negative
     */
    public void move(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("time only moves forward, not by " + d);
        }
        nanos.addAndGet(d.toNanos());
    }

    /** @return a clock that shows 2030-01-01T00:00:00Z plus the ticker's reading */
    public Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Instant instant() {
                return EPOCH.plusNanos(nanos.get());
            }
        };
    }
}
