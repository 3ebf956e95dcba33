package io.github.bgtasks.ssh;

import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.testkit.BackendContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The behaviour every backend shows, on a remote host reached over a real sshd on loopback.
 * Every case applies: the host is this machine, so the contract's own checks of log files and
 * of the process table see the remote side (logs are still read through the backend's store).
 */
class SshBackendContractTest extends BackendContract {
    @RegisterExtension
    static final SshHosts HOSTS = new SshHosts(1);

    @Override
    protected Backend newBackend() {
        // A state directory per test, so that no test sees another's tasks.
        return HOSTS.backend("h0").remoteDirectory(dir.resolve("remote").toString()).build();
    }
}
