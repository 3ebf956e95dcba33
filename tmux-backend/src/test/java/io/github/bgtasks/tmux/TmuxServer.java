package io.github.bgtasks.tmux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.tmux.internal.TmuxClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private tmux server for one test class: a unique socket name, killed after the class.
 * Skips the class when tmux is missing, except on CI ({@code CI=true}), where that fails.
 * Tests never touch any other tmux server.
 */
final class TmuxServer implements BeforeAllCallback, AfterAllCallback {
    final String socket = "bgt-test-" + UUID.randomUUID().toString().substring(0, 8);
    final List<BackgroundTasks> opened = new ArrayList<>();
    private Path base;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        boolean present;
        try {
            TmuxClient.checkVersion("tmux");
            present = true;
        } catch (IllegalStateException e) {
            present = false;
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("tmux 3.2+ is required on CI: " + e.getMessage(), e);
            }
        }
        Assumptions.assumeTrue(present, "tmux 3.2 or newer is not installed");
        base = Files.createTempDirectory("bgt-tmux-test");
    }

    /**
     * Closes the class's instances and kills its server, then waits (bounded) until the server
     * process itself has exited, not only the kill-server client: a starved server with many
     * sessions can take a minute to go, and would slow the next class down meanwhile. Its tasks
     * get a hangup from it and end.
     */
    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            for (BackgroundTasks t : opened) {
                try {
                    t.close();
                } catch (RuntimeException e) {
                    System.err.println("closing " + t + " failed: " + e);
                }
            }
        } finally {
            try {
                killServer();
            } finally {
                // tmux leaves its socket file behind; remove ours (only ours).
                String dir = System.getenv().getOrDefault("TMUX_TMPDIR", "/tmp");
                Files.deleteIfExists(Path.of(dir, "tmux-" + Files.getAttribute(base, "unix:uid"), socket));
                try (var s = Files.walk(base)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** Kills this class's server and waits for its process to exit; SIGKILL if it takes long. */
    void killServer() throws IOException, InterruptedException {
        Optional<ProcessHandle> server = serverPid().flatMap(ProcessHandle::of);
        tmux("kill-server");
        if (server.isPresent()) {
            try {
                server.get().onExit().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                System.err.println("tmux server " + server.get().pid() + " did not exit within 60 s; SIGKILL");
                server.get().destroyForcibly();
                try {
                    server.get().onExit().get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e2) {
                    throw new AssertionError("tmux server " + server.get().pid() + " survived SIGKILL for 60 s", e2);
                }
            }
        }
    }

    /** @return the names of the sessions on this class's server, the backends' keeper sessions left out */
    List<String> taskSessions() throws IOException, InterruptedException {
        return tmux("list-sessions", "-F", "#{session_name}").lines()
                .filter(n -> !n.startsWith("bgtasks-keeper@") && !n.contains("no server running")
                        && !n.contains("error connecting")).toList();
    }

    /** @return the pid of this class's tmux server, if one runs */
    Optional<Long> serverPid() throws IOException, InterruptedException {
        String out = tmux("display-message", "-p", "#{pid}").trim();
        return out.matches("[0-9]+") ? Optional.of(Long.parseLong(out)) : Optional.empty();
    }

    /** @return the state directory shared by every backend of this class */
    Path stateDir() {
        return base.resolve("state");
    }

    /** @return a log directory; the same for every instance, so that adopted tasks' logs are found */
    Path logDir() {
        return base.resolve("logs");
    }

    TmuxBackend backend() {
        return TmuxBackend.builder().socketName(socket).stateDirectory(stateDir()).build();
    }

    /** @return a BackgroundTasks on this server, closed after the class (tasks stay running) */
    BackgroundTasks tasks() {
        return tasks(backend());
    }

    /** @return a BackgroundTasks on this server whose tasks write their output as {@code output} says */
    BackgroundTasks tasks(TmuxBackend.Output output) {
        return tasks(TmuxBackend.builder().socketName(socket).stateDirectory(stateDir()).output(output).build());
    }

    private BackgroundTasks tasks(TmuxBackend backend) {
        BackgroundTasks t = BackgroundTasks.builder().backend(backend).logDirectory(logDir()).build();
        opened.add(t);
        return t;
    }

    /** Runs a program and waits for it; for kill(1) and the like. */
    void run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            assertEquals(true, p.waitFor(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS), List.of(cmd) + " did not finish");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a tmux command on this class's server (never any other) and returns stdout and stderr. */
    String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("TMUX");
        Process p = pb.start();
        // Read on another thread, so that a tmux that never answers is bounded too.
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (!p.waitFor(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tmux " + cmd + " did not finish");
        }
        return out.join();
    }
}
