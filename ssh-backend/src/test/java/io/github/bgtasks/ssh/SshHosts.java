package io.github.bgtasks.ssh;

import static org.awaitility.Awaitility.await;

import io.github.bgtasks.testkit.ProcessMarkers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real "remote hosts" for one test class: private sshd instances on 127.0.0.1, each on a free
 * port with a generated host key, accepting only a generated user key, with its own sshd_config
 * ({@code PermitRootLogin prohibit-password}, as CI runs as root). Each host gives its sessions a
 * HOME and TMUX_TMPDIR of their own ({@code SetEnv}), so that the hosts have separate state and
 * separate tmux servers although they share this machine. The client gets an ssh config with one
 * alias per host ({@code h0}, {@code h1}...) and its own known_hosts file, with strict host key
 * checking.
 *
 * <p>After the class: the tmux servers and the sshd instances (with their connections) are
 * ended, the directory is deleted, and /proc is checked for any process that still names the
 * class's directory (the unique marker of everything this fixture starts). Skips the class when
 * sshd or tmux is missing, except on CI ({@code CI=true}), where that fails.
 */
public final class SshHosts implements BeforeAllCallback, AfterAllCallback {
    public static final Duration PATIENCE = Duration.ofMinutes(2);
    private static final Path SSHD = Path.of("/usr/sbin/sshd");

    final String socket = "bgt-ssh-" + UUID.randomUUID().toString().substring(0, 8);
    private final int count;
    private final List<Process> sshds = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private Path dir;

    public SshHosts(int count) {
        this.count = count;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        boolean present = Files.isExecutable(SSHD) && onPath("ssh") && onPath("ssh-keygen") && onPath("tmux");
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("sshd (openssh-server), ssh and tmux are required on CI; run scripts/setup");
        }
        Assumptions.assumeTrue(present, "openssh-server, openssh-client or tmux is not installed");
        dir = Files.createTempDirectory("bgt-sshd-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bgtasks-test-user", "-f", dir.resolve("user_key").toString());
        Files.copy(dir.resolve("user_key.pub"), dir.resolve("authorized_keys"));
        if (isRoot()) {
            // sshd started by root needs its privilege separation directory (CI: a fresh container).
            Files.createDirectories(Path.of("/run/sshd"));
        }
        StringBuilder knownHosts = new StringBuilder();
        StringBuilder clientConfig = new StringBuilder();
        String user = System.getProperty("user.name");
        for (int i = 0; i < count; i++) {
            Path h = Files.createDirectories(dir.resolve("h" + i));
            Files.createDirectories(h.resolve("home"));
            Files.createDirectories(h.resolve("tmux"));
            run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bgtasks-test-host", "-f", h.resolve("host_key").toString());
            int port = freePort();
            ports.add(port);
            Files.writeString(h.resolve("sshd_config"), String.join("\n",
                    "Port " + port,
                    "ListenAddress 127.0.0.1",
                    "HostKey " + h.resolve("host_key"),
                    "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                    "PermitRootLogin prohibit-password",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "UsePAM no",
                    "StrictModes no",
                    "PidFile none",
                    "MaxSessions 1000",
                    "MaxStartups 200:30:400",
                    "SetEnv HOME=" + h.resolve("home") + " TMUX_TMPDIR=" + h.resolve("tmux"),
                    ""));
            knownHosts.append("[127.0.0.1]:").append(port).append(' ')
                    .append(Files.readString(h.resolve("host_key.pub")).trim()).append('\n');
            clientConfig.append("Host h").append(i).append("\n  HostName 127.0.0.1\n  Port ").append(port)
                    .append("\n  User ").append(user).append('\n');
            sshds.add(startSshd(i));
        }
        clientConfig.append("Host *\n  IdentityFile ").append(dir.resolve("user_key"))
                .append("\n  IdentitiesOnly yes\n  UserKnownHostsFile ").append(dir.resolve("known_hosts"))
                .append("\n  StrictHostKeyChecking yes\n  LogLevel ERROR\n");
        Files.writeString(dir.resolve("known_hosts"), knownHosts);
        Files.writeString(dir.resolve("ssh_config"), clientConfig);
        for (int i = 0; i < count; i++) {
            awaitListening(i);
        }
    }

    private Process startSshd(int i) throws IOException {
        Path h = dir.resolve("h" + i);
        return new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", h.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(h.resolve("sshd.log").toFile()).start();
    }

    private void awaitListening(int i) {
        await("sshd h" + i + " listening").atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!sshds.get(i).isAlive()) {
                throw new AssertionError("sshd h" + i + " exited: " + Files.readString(dir.resolve("h" + i + "/sshd.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", ports.get(i)), 1000);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** @return the ssh configuration naming the hosts {@code h0}... */
    public Path sshConfig() {
        return dir.resolve("ssh_config");
    }

    /** @return host i's home directory (its sessions' HOME) */
    Path home(int i) {
        return dir.resolve("h" + i).resolve("home");
    }

    /** @return a builder for the hosts, with this class's ssh config and tmux socket */
    SshBackend.Builder backend(String... hosts) {
        SshBackend.Builder b = SshBackend.builder().sshConfig(sshConfig()).socketName(socket);
        for (String h : hosts) {
            b.host(h);
        }
        return b;
    }

    /** Kills host i's tmux server with SIGKILL, as a crash or a restart of the host would. */
    void killTmuxServer(int i) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("tmux", "-L", socket, "display-message", "-p", "#{pid}");
        pb.environment().put("TMUX_TMPDIR", dir.resolve("h" + i).resolve("tmux").toString());
        pb.environment().remove("TMUX");
        Process p = pb.redirectErrorStream(true).start();
        String pid = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        if (!pid.matches("[0-9]+")) {
            return; // it has exited with its last session
        }
        ProcessHandle server = ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
        server.destroyForcibly();
        server.onExit().get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Makes host i unreachable: its sshd and every connection to it end (all processes this fixture started). */
    void stopHost(int i) throws Exception {
        Process p = sshds.get(i);
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        p.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        p.waitFor(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Makes host i reachable again, on the same port. */
    void startHost(int i) throws Exception {
        sshds.set(i, startSshd(i));
        awaitListening(i);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (dir == null) {
            return;
        }
        try {
            for (int i = 0; i < count; i++) {
                // The host's tmux server: its tasks get a hangup and end.
                ProcessBuilder pb = new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
                pb.environment().put("TMUX_TMPDIR", dir.resolve("h" + i).resolve("tmux").toString());
                pb.environment().remove("TMUX");
                pb.start().waitFor(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            }
            for (int i = 0; i < count; i++) {
                stopHost(i);
            }
            // Everything this fixture started names its directory: sshd, its sessions, the tmux
            // servers (by their socket under TMUX_TMPDIR, in their environment, not argv: checked by pid below).
            await("no process of the fixture left").atMost(PATIENCE).pollInterval(Duration.ofMillis(50))
                    .until(() -> ProcessMarkers.all().stream().noneMatch(p -> !p.zombie()
                            && p.argv().stream().anyMatch(a -> a.contains(dir.toString()))));
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d.isEmpty() ? "." : d, program)));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(PATIENCE.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                throw new AssertionError(List.of(cmd) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
