package io.github.bgtasks.slurm;

import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.testkit.BackendContract;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The behaviour every backend shows, with each task a batch job of a real single-node Slurm
 * cluster. What does not apply: input ({@code sendsInput} checks instead that sending fails
 * clearly, as a batch job reads /dev/null) and the pid (the job's processes run on a compute
 * node, so {@code pid()} is empty). Everything else holds as on the local backends: the node is
 * this machine, so the contract's checks of the process table see the job's processes.
 */
@ExtendWith(SlurmCluster.class)
class SlurmBackendContractTest extends BackendContract {
    @Override
    protected Backend newBackend() {
        return SlurmCluster.get().backend().stateDirectory(dir.resolve("state")).build();
    }

    @Override
    protected boolean acceptsInput() {
        return false;
    }

    @Override
    protected boolean reportsPid() {
        return false;
    }
}
