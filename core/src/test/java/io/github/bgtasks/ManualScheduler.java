package io.github.bgtasks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scheduler in virtual time for the core's tests (the testkit's {@code FakeScheduler} depends
 * on the core, so the core cannot use it): timers run only when {@link #advance} reaches them,
 * on the calling thread. Thread-safe.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final AtomicLong now = new AtomicLong();
    private final List<Timer<?>> timers = new ArrayList<>(); // guarded by itself

    Ticker ticker() {
        return now::get;
    }

    void advance(Duration d) {
        long end = now.get() + d.toNanos();
        while (true) {
            Timer<?> next;
            synchronized (timers) {
                timers.removeIf(FutureTask::isCancelled);
                next = timers.stream().min(Comparator.comparingLong(t -> t.due)).filter(t -> t.due <= end).orElse(null);
                if (next == null) {
                    break;
                }
                timers.remove(next);
            }
            now.set(Math.max(now.get(), next.due));
            next.run();
        }
        now.set(end);
    }

    int pending() {
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
        Timer<V> t = new Timer<>(callable, now.get() + unit.toNanos(delay));
        synchronized (timers) {
            timers.add(t);
        }
        return t;
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException("not used by the engine");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("not used by the engine");
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public void shutdown() {
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }

    private final class Timer<V> extends FutureTask<V> implements ScheduledFuture<V> {
        final long due;

        Timer(Callable<V> c, long due) {
            super(c);
            this.due = due;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - now.get(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
