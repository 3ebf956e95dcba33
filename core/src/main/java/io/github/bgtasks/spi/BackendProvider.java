package io.github.bgtasks.spi;

/**
 * Supplies the backend of the shared default {@code BackgroundTasks} instance and of builders
 * that name none. Found with {@link java.util.ServiceLoader}; the provider with the lowest
 * {@link #priority()} wins, so the plain process backend (priority 0) is preferred.
 */
public interface BackendProvider {

    /**
     * Returns the preference of this provider; lower wins.
     *
     * @return the priority
     */
    int priority();

    /**
     * Creates a backend with default settings.
     *
     * @return a new backend
     */
    Backend create();
}
