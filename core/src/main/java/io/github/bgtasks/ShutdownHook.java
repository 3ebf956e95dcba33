package io.github.bgtasks;

import io.github.bgtasks.internal.posix.DaemonThreads;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JVM shutdown hook for every open instance, installed with the first one: a hook per
 * instance would pile up in the JVM's hook table for programs that build many instances. At
 * shutdown, the instances still open are closed side by side, so that their grace periods
 * overlap instead of adding up. This class is thread-safe.
 */
final class ShutdownHook {
    private static final Logger LOG = LoggerFactory.getLogger(ShutdownHook.class);
    private static final Object LOCK = new Object();
    // guarded by LOCK
    private static final Set<AutoCloseable> OPEN = new LinkedHashSet<>();
    // guarded by LOCK
    private static Thread hook;

    private ShutdownHook() {
    }

    /** Closes {@code instance} at JVM shutdown unless it is {@linkplain #unregister unregistered} first. */
    static void register(AutoCloseable instance) {
        synchronized (LOCK) {
            if (hook == null) {
                Thread t = new Thread(ShutdownHook::closeAll, "bgtasks-shutdown");
                try {
                    Runtime.getRuntime().addShutdownHook(t);
                } catch (IllegalStateException e) {
                    return; // the JVM is shutting down already: nothing will run a hook
                }
                hook = t;
            }
            OPEN.add(instance);
        }
    }

    static void unregister(AutoCloseable instance) {
        synchronized (LOCK) {
            OPEN.remove(instance);
        }
    }

    /** The hook's work: closes every instance still open, each on its own thread, and waits for all. */
    static void closeAll() {
        List<AutoCloseable> open;
        synchronized (LOCK) {
            open = new ArrayList<>(OPEN);
        }
        List<Thread> closers = new ArrayList<>();
        for (AutoCloseable instance : open) {
            closers.add(DaemonThreads.start("bgtasks-shutdown-close", () -> close(instance)));
        }
        for (Thread t : closers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void close(AutoCloseable instance) {
        try {
            instance.close();
        } catch (Exception e) {
            LOG.warn("closing bgtasks at JVM shutdown failed", e);
        }
    }

    /** @return how many instances the hook would close now */
    static int openCount() {
        synchronized (LOCK) {
            return OPEN.size();
        }
    }

    /** @return how many hooks this class has given the JVM: one at most */
    static int installedHooks() {
        synchronized (LOCK) {
            return hook != null ? 1 : 0;
        }
    }
}
