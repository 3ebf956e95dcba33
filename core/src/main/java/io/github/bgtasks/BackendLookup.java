package io.github.bgtasks;

import io.github.bgtasks.internal.Text;
import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.spi.BackendProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the default backend: the providers on the class path ({@link ServiceLoader}), tried in
 * order of priority. A provider that cannot start (a missing program, a broken jar) is skipped
 * with its reason logged, and the next one is tried; if none can start, the error names each
 * provider and why. This class is thread-safe.
 */
final class BackendLookup {
    private static final Logger LOG = LoggerFactory.getLogger(BackendLookup.class);
    private static final String HOW = "add io.github.bgtasks:bgtasks-process (or pass a backend to "
            + "BackgroundTasks.builder().backend(...))";

    private BackendLookup() {
    }

    /** A provider found on the class path, not yet instantiated. */
    record Candidate(String type, Supplier<BackendProvider> provider) {
    }

    /** @return the backend of the first provider, by priority, that can start */
    static Backend load() {
        List<Candidate> found = new ArrayList<>();
        List<String> broken = new ArrayList<>();
        Iterator<ServiceLoader.Provider<BackendProvider>> it =
                ServiceLoader.load(BackendProvider.class).stream().iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                ServiceLoader.Provider<BackendProvider> p = it.next();
                found.add(new Candidate(p.type().getName(), p::get));
            } catch (ServiceConfigurationError e) {
                broken.add(String.valueOf(e.getMessage()));
                LOG.warn("skipping a bgtasks backend provider that cannot be loaded: {}", e.getMessage());
                break; // the iterator cannot go on after this error
            }
        }
        return choose(found, broken);
    }

    /**
     * Tries each candidate in order of priority.
     *
     * @param found the candidates
     * @param failures what already went wrong while finding them, for the message
     * @return the first backend that started
     * @throws IllegalStateException if none did; the message names each provider and why
     */
    static Backend choose(List<Candidate> found, List<String> failures) {
        List<String> why = new ArrayList<>(failures);
        record Ready(String type, BackendProvider provider) {
        }
        List<Ready> ready = new ArrayList<>();
        for (Candidate c : found) {
            try {
                ready.add(new Ready(c.type(), c.provider().get()));
            } catch (RuntimeException | ServiceConfigurationError | LinkageError e) {
                why.add(skip(c.type(), e));
            }
        }
        ready.sort(Comparator.comparingInt(r -> r.provider().priority()));
        for (Ready r : ready) {
            try {
                Backend b = r.provider().create();
                if (b == null) {
                    throw new IllegalStateException("its create() returned null");
                }
                if (!why.isEmpty()) {
                    LOG.info("using the {} backend ({})", b.name(), r.type());
                }
                return b;
            } catch (RuntimeException | LinkageError e) {
                why.add(skip(r.type() + " (priority " + r.provider().priority() + ")", e));
            }
        }
        if (why.isEmpty()) {
            throw new IllegalStateException("no bgtasks backend on the class path; " + HOW);
        }
        throw new IllegalStateException("no bgtasks backend on the class path could start: "
                + String.join("; ", why) + ". Fix the first, or " + HOW);
    }

    private static String skip(String provider, Throwable e) {
        String reason = provider + ": " + Text.abbreviate(String.valueOf(e.getMessage()), 1000);
        LOG.warn("skipping bgtasks backend provider {}", reason, e);
        return reason;
    }
}
