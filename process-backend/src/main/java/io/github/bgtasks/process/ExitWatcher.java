package io.github.bgtasks.process;

import io.github.bgtasks.internal.posix.DaemonThreads;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches the ends of adopted tasks ({@link AdoptedTask#check()}) every {@link #PERIOD_MILLIS}
 * on one daemon thread, which exists only while there is a task to watch. Their exit is a file
 * written by another JVM's helper, or the death of that helper: a look at a few files per task,
 * which is cheaper than a thread per task and, unlike inotify, also sees a helper die.
 * This class is thread-safe.
 */
final class ExitWatcher {
    static final long PERIOD_MILLIS = 200;

    private final Set<AdoptedTask> tasks = ConcurrentHashMap.newKeySet();
    // guarded by this
    private ScheduledExecutorService timer;
    private boolean closed;

    synchronized void watch(AdoptedTask t) {
        if (t.check() || closed) {
            return;
        }
        tasks.add(t);
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("bgtasks-process-adopted"));
            timer.scheduleWithFixedDelay(this::checkAll, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void checkAll() {
        tasks.removeIf(AdoptedTask::check);
        synchronized (this) {
            if (tasks.isEmpty() && timer != null) {
                timer.shutdown(); // no thread while nothing is watched
                timer = null;
            }
        }
    }

    synchronized void close() {
        closed = true;
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
        tasks.clear();
    }
}
