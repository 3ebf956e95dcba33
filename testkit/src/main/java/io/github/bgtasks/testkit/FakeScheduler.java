package io.github.bgtasks.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scheduler in virtual time (OkHttp's {@code TaskFaker}): nothing runs until the test calls
 * {@link #advance(Duration)}, which moves the {@link FakeTicker} and runs every timer that is
 * due, in order of due time, on the test's thread. Periodic scheduling is not supported: the
 * engine does not use it. This class is thread-safe.
 */
public final class FakeScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final FakeTicker ticker;
    private final AtomicLong sequence = new AtomicLong();
    // guarded by itself
    private final PriorityQueue<Timer<?>> timers = new PriorityQueue<>();
    private volatile boolean shutdown;

    /**
     * Creates a scheduler on a ticker; pass the same ticker (and its clock) to the instance under test.
     *
     * @param ticker the virtual time that {@link #advance(Duration)} moves
     */
    public FakeScheduler(FakeTicker ticker) {
        this.ticker = ticker;
    }

    /**
     * Moves time forward by {@code d}, running the timers that fall due on the way, each at its
     * time, on the calling thread.
     *
     * @param d how far, not negative
     */
    public void advance(Duration d) {
        long end = ticker.read() + d.toNanos();
        while (true) {
            Timer<?> next;
            synchronized (timers) {
                next = timers.peek();
                if (next == null || next.due > end) {
                    break;
                }
                timers.poll();
            }
            long now = ticker.read();
            if (next.due > now) {
                ticker.move(Duration.ofNanos(next.due - now));
            }
            next.run();
        }
        long now = ticker.read();
        if (end > now) {
            ticker.move(Duration.ofNanos(end - now));
        }
    }

    /** @return how many timers wait, cancelled ones excluded */
    public int pending() {
        synchronized (timers) {
            return (int) timers.stream().filter(t -> !t.isCancelled()).count();
        }
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return schedule(Executors.callable(command), delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        if (shutdown) {
            throw new RejectedExecutionException("the fake scheduler is shut down");
        }
        Timer<V> t = new Timer<>(callable, ticker.read() + Math.max(0, unit.toNanos(delay)), sequence.incrementAndGet());
        synchronized (timers) {
            timers.add(t);
        }
        return t;
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException("periodic timers are not faked");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("periodic timers are not faked");
    }

    /** Runs {@code command} at the current virtual time, at the next {@link #advance}. */
    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> left;
        synchronized (timers) {
            left = new ArrayList<>(timers);
            timers.clear();
        }
        return left;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && pending() == 0;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }

    private final class Timer<V> extends FutureTask<V> implements ScheduledFuture<V> {
        final long due;
        final long seq;

        Timer(Callable<V> callable, long due, long seq) {
            super(callable);
            this.due = due;
            this.seq = seq;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - ticker.read(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            Timer<?> other = (Timer<?>) o;
            return due != other.due ? Long.compare(due, other.due) : Long.compare(seq, other.seq);
        }
    }
}
