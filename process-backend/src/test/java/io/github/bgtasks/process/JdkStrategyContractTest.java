package io.github.bgtasks.process;

import io.github.bgtasks.testkit.BackendContract;
import io.github.bgtasks.spi.Backend;

/** Runs the contract every backend must meet against the process backend's JDK strategy, with {@code setsid}. */
class JdkStrategyContractTest extends BackendContract {
    @Override
    protected Backend newBackend() {
        return ProcessBackend.jdk();
    }
}
