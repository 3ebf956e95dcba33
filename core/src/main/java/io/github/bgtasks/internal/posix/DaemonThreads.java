package io.github.bgtasks.internal.posix;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads that never keep the JVM alive, named so that a thread dump says whose they are.
 *
 * <p><b>Not API.</b> This class is thread-safe.
 */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    /**
     * Returns a factory of daemon threads named {@code <prefix>-1}, {@code <prefix>-2}...
     *
     * @param prefix such as {@code bgtasks-scheduler}
     * @return the factory
     */
    public static ThreadFactory factory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> newThread(prefix + "-" + n.incrementAndGet(), r);
    }

    /**
     * Starts one daemon thread.
     *
     * @param name its name
     * @param work what it runs
     * @return the started thread
     */
    public static Thread start(String name, Runnable work) {
        Thread t = newThread(name, work);
        t.start();
        return t;
    }

    private static Thread newThread(String name, Runnable work) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        return t;
    }
}
