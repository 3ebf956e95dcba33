package io.github.bgtasks.benchmarks;

import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.tmux.TmuxBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * A private tmux server for the tmux rows: its own socket ({@code tmux -L bench-<random>}),
 * so the benchmark never touches a person's sessions, and killed when closed so that it
 * leaves nothing behind.
 */
final class TmuxServer implements AutoCloseable {
    private final String socket;

    TmuxServer() {
        this("bench-" + Long.toHexString(new SecureRandom().nextLong() & Long.MAX_VALUE));
    }

    TmuxServer(String socket) {
        this.socket = socket;
    }

    String socket() {
        return socket;
    }

    /** @return why the tmux rows cannot run here, or empty if they can */
    static Optional<String> unavailable() {
        return Commands.succeeds("tmux", "-V") ? Optional.empty() : Optional.of("tmux is not installed");
    }

    /**
     * Creates a tmux backend on this server's socket. Each {@code BackgroundTasks} closes its
     * own backend, so every instance gets a new one, with a state directory of its own so that
     * it does not adopt the finished tasks of an earlier instance.
     */
    Backend backend(Path stateDirectory) {
        return TmuxBackend.builder().socketName(socket).stateDirectory(stateDirectory).build();
    }

    /** As {@link #backend}, with each task writing its log directly ({@code Output.DIRECT}). */
    Backend directBackend(Path stateDirectory) {
        return TmuxBackend.builder().socketName(socket).stateDirectory(stateDirectory).output(TmuxBackend.Output.DIRECT)
                .build();
    }

    /** Kills the server and with it every session the benchmark left, and removes its socket. */
    @Override
    public void close() throws IOException {
        // Fails harmlessly when the server already exited with its last session.
        Commands.succeeds("tmux", "-L", socket, "kill-server");
        // tmux 3.3a leaves the socket file behind, whether the server was killed or exited.
        String tmpdir = System.getenv().getOrDefault("TMUX_TMPDIR", "/tmp");
        Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        Files.deleteIfExists(Path.of(tmpdir, "tmux-" + uid, socket));
    }
}
