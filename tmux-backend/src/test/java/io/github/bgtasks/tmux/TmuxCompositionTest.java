package io.github.bgtasks.tmux;

import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.testkit.CompositionContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Parallel groups and pipelines on tmux. */
class TmuxCompositionTest extends CompositionContract {
    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();

    @Override
    protected Backend newBackend() {
        return TmuxBackend.builder().socketName(SERVER.socket).stateDirectory(dir.resolve("state")).build();
    }
}
