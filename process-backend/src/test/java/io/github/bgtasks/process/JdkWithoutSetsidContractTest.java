package io.github.bgtasks.process;

import io.github.bgtasks.testkit.BackendContract;
import io.github.bgtasks.spi.Backend;
import java.util.Optional;

/**
 * Runs the contract every backend must meet against the JDK strategy without {@code setsid}:
 * tasks stay in the JVM's process group, their trees are found through their descendants.
 */
class JdkWithoutSetsidContractTest extends BackendContract {
    @Override
    protected Backend newBackend() {
        return new JdkSpawner(Optional.empty(), Spawner.Settings.DEFAULTS);
    }
}
