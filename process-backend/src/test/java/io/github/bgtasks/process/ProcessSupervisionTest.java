package io.github.bgtasks.process;

import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.testkit.SupervisionContract;

/** Supervision on real processes, on the process backend (the Perl helper). */
class ProcessSupervisionTest extends SupervisionContract {
    @Override
    protected Backend newBackend() {
        return ProcessBackend.perl();
    }
}
