package io.github.bgtasks.benchmarks;

import io.github.bgtasks.ssh.SshBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A private sshd on 127.0.0.1 for the SSH rows: a free port, generated host and user keys, its
 * own known_hosts and client config (alias {@code bench}), a tmux socket of its own. Closing it
 * kills the tmux server it served and the sshd with its connections.
 */
final class LoopbackSshd implements AutoCloseable {
    private static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Path dir;
    private final Process sshd;
    private final String socket = "bench-ssh-" + Long.toHexString(new SecureRandom().nextLong() & Long.MAX_VALUE);

    LoopbackSshd(Path work) throws Exception {
        dir = Files.createDirectories(work.resolve("sshd"));
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("user_key").toString());
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
        Files.copy(dir.resolve("user_key.pub"), dir.resolve("authorized_keys"));
        if ("root".equals(System.getProperty("user.name"))) {
            Files.createDirectories(Path.of("/run/sshd"));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("sshd_config"), String.join("\n", "Port " + port, "ListenAddress 127.0.0.1",
                "HostKey " + dir.resolve("host_key"), "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PermitRootLogin prohibit-password", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
                "UsePAM no", "StrictModes no", "PidFile none", "MaxSessions 1000", "MaxStartups 200:30:400", ""));
        Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + port + " " + Files.readString(dir.resolve("host_key.pub")));
        Files.writeString(dir.resolve("ssh_config"), "Host bench\n  HostName 127.0.0.1\n  Port " + port + "\n  User "
                + System.getProperty("user.name") + "\n  IdentityFile " + dir.resolve("user_key")
                + "\n  IdentitiesOnly yes\n  UserKnownHostsFile " + dir.resolve("known_hosts")
                + "\n  StrictHostKeyChecking yes\n  LogLevel ERROR\n");
        sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                break;
            } catch (IOException e) {
                if (!sshd.isAlive() || System.nanoTime() > deadline) {
                    close();
                    throw new IllegalStateException("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    /** @return why the SSH rows cannot run here, or empty if they can */
    static Optional<String> unavailable() {
        if (!Files.isExecutable(SSHD)) {
            return Optional.of("openssh-server is not installed (scripts/setup installs it)");
        }
        return Commands.succeeds("ssh", "-V") ? Optional.empty() : Optional.of("the ssh client is not installed");
    }

    /** @return a backend on the host {@code bench}, at most {@code max} tasks at once, state under {@code remote} */
    SshBackend backend(Path remote, int max) {
        return SshBackend.builder().sshConfig(dir.resolve("ssh_config")).socketName(socket).host("bench", max)
                .remoteDirectory(remote.toString()).build();
    }

    @Override
    public void close() throws IOException {
        Commands.succeeds("tmux", "-L", socket, "kill-server");
        List<ProcessHandle> tree = sshd.descendants().toList();
        sshd.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(List.of(cmd) + " failed: " + out);
        }
    }
}
