package io.github.bgtasks.process;

import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.spi.BackendProvider;

/**
 * Makes the process backend the default backend of {@code BackgroundTasks} (priority 0), with
 * the strategy {@link ProcessBackend#create()} picks: the Perl helper, or the JDK alone where
 * Perl is missing. If Perl is there but its helper cannot start, {@link #create()} throws with
 * the reason, and the default lookup logs it and tries the next provider.
 * Found by {@link java.util.ServiceLoader}; not meant to be used directly.
 */
public final class ProcessBackendProvider implements BackendProvider {
    /** Creates the provider (called by the service loader). */
    public ProcessBackendProvider() {
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Backend create() {
        return ProcessBackend.create();
    }
}
