package io.github.bgtasks.tmux;

import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.spi.BackendProvider;

/**
 * Offers the tmux backend to {@link java.util.ServiceLoader} with priority 10, so the plain
 * process backend (priority 0) stays the default when both are on the class path. Public only
 * because the service loader needs it; use {@link TmuxBackend#create()} directly.
 */
public final class TmuxBackendProvider implements BackendProvider {

    /** Creates the provider; called by the service loader. */
    public TmuxBackendProvider() {
    }

    /** @return 10 */
    @Override
    public int priority() {
        return 10;
    }

    /**
     * Creates a tmux backend with default settings.
     *
     * @return {@link TmuxBackend#create()}
     */
    @Override
    public Backend create() {
        return TmuxBackend.create();
    }
}
