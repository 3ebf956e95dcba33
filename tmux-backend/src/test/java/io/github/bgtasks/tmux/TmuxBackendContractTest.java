package io.github.bgtasks.tmux;

import io.github.bgtasks.testkit.BackendContract;
import io.github.bgtasks.spi.Backend;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The behaviour every backend shows, on tmux. */
class TmuxBackendContractTest extends BackendContract {
    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();

    @Override
    protected Backend newBackend() {
        // A state directory per test, so that no test adopts the tasks of another.
        return TmuxBackend.builder().socketName(SERVER.socket).stateDirectory(dir.resolve("state")).build();
    }
}
