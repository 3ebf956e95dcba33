package io.github.bgtasks.tmux;

import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.testkit.SupervisionContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Supervision on real processes, on tmux (a private server). */
class TmuxSupervisionTest extends SupervisionContract {
    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();

    @Override
    protected Backend newBackend() {
        // A state directory per test, so that no test adopts the tasks of another.
        return TmuxBackend.builder().socketName(SERVER.socket).stateDirectory(dir.resolve("state")).build();
    }
}
