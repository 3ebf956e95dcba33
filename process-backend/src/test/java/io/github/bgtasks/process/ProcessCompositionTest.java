package io.github.bgtasks.process;

import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.testkit.CompositionContract;

/** Parallel groups and pipelines on the process backend. */
class ProcessCompositionTest extends CompositionContract {
    @Override
    protected Backend newBackend() {
        return ProcessBackend.create();
    }
}
