package io.github.bgtasks.tmux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.spi.BackendProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Creating a backend: tmux's version, sockets, private directories, the service provider. */
class TmuxBackendBuilderTest {
    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();

    @TempDir
    Path tmp;

    private Path fakeTmux(String versionLine) throws Exception {
        Path fake = tmp.resolve("fake-tmux");
        Files.writeString(fake, "#!/bin/sh\necho '" + versionLine + "'\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        return fake;
    }

    @Test
    void refusesAMissingTmuxNamingWhatIsNeeded() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TmuxBackend.builder()
                .tmuxExecutable(tmp.resolve("no-tmux")).stateDirectory(tmp.resolve("s")).build());
        assertTrue(e.getMessage().contains("tmux was not found") && e.getMessage().contains("3.2 or newer"), e.getMessage());
    }

    @Test
    void refusesAnOldTmuxNamingBothVersions() throws Exception {
        Path fake = fakeTmux("tmux 3.1c");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TmuxBackend.builder().tmuxExecutable(fake).stateDirectory(tmp.resolve("s")).build());
        assertTrue(e.getMessage().contains("tmux 3.2 or newer is needed") && e.getMessage().contains("'tmux 3.1c'"),
                e.getMessage());
    }

    @Test
    void acceptsNewerAndDevelopmentVersions() throws Exception {
        for (String v : List.of("tmux 3.2", "tmux 3.3a", "tmux 10.0", "tmux next-3.4", "tmux master")) {
            Files.deleteIfExists(tmp.resolve("fake-tmux"));
            TmuxBackend.builder().tmuxExecutable(fakeTmux(v)).stateDirectory(tmp.resolve("s")).build().close();
        }
    }

    @Test
    void refusesAStateOrSocketDirectoryOpenToOthers() throws Exception {
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        IllegalArgumentException state = assertThrows(IllegalArgumentException.class,
                () -> TmuxBackend.builder().socketName(SERVER.socket).stateDirectory(open).build());
        assertTrue(state.getMessage().contains("not private") && state.getMessage().contains("chmod 700"), state.getMessage());
        IllegalArgumentException socket = assertThrows(IllegalArgumentException.class,
                () -> TmuxBackend.builder().socketPath(open.resolve("sock")).stateDirectory(tmp.resolve("s")).build());
        assertTrue(socket.getMessage().contains(open.toString()), socket.getMessage());
    }

    @Test
    void tmuxTimeoutMustBePositiveAndSetOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TmuxBackend.builder().tmuxTimeout(java.time.Duration.ZERO));
        assertTrue(e.getMessage().contains("must be positive, was PT0S"), e.getMessage());
        TmuxBackend.Builder b = TmuxBackend.builder().tmuxTimeout(java.time.Duration.ofMinutes(5));
        assertTrue(b.toString().contains("tmuxTimeout=PT5M"), b.toString());
        assertThrows(IllegalStateException.class, () -> b.tmuxTimeout(java.time.Duration.ofMinutes(1)));
    }

    @Test
    void rejectsConflictingAndBadOptions() {
        assertThrows(IllegalStateException.class, () -> TmuxBackend.builder().socketName("a").socketPath(tmp.resolve("b")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TmuxBackend.builder().socketName("a/b"));
        assertTrue(e.getMessage().contains("'a/b'"), e.getMessage());
    }

    @Test
    void runsOnASocketPathInAPrivateDirectory() throws Exception {
        Path sockDir = tmp.resolve("sockets");
        Path sock = sockDir.resolve("s");
        try {
            try (BackgroundTasks tasks = BackgroundTasks.builder()
                    .backend(TmuxBackend.builder().socketPath(sock).build()).logDirectory(tmp.resolve("logs")).build()) {
                TaskHandle t = tasks.start(TaskSpec.builder("echo", "via -S").name("via-path").build());
                assertEquals(TaskState.SUCCEEDED, t.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS).state());
                assertEquals("tmux -S '" + sock + "' attach -t '=via-path'", t.attachCommand().orElseThrow());
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sockDir)));
                assertTrue(Files.isDirectory(Path.of(sock + ".state")));
            }
            // Closed, the backend's keeper session is gone: the server exits with its last session.
            org.awaitility.Awaitility.await().atMost(Fixtures.PATIENCE).until(() -> {
                Process ls = new ProcessBuilder("tmux", "-S", sock.toString(), "ls").redirectErrorStream(true).start();
                String out = new String(ls.getInputStream().readAllBytes());
                ls.waitFor();
                return out.contains("no server running") || out.contains("error connecting");
            });
            // tmux leaves its socket behind; closing removes it, if the server had exited by then,
            // or the next backend's close does.
            TmuxBackend.builder().socketPath(sock).build().close();
        } finally {
            new ProcessBuilder("tmux", "-S", sock.toString(), "kill-server").start().waitFor();
        }
        assertTrue(Files.notExists(sock), "the stale socket was not removed");
    }

    @Test
    void isOfferedToTheServiceLoaderAfterTheProcessBackend() {
        BackendProvider p = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(x -> x instanceof TmuxBackendProvider).findFirst().orElseThrow();
        assertEquals(10, p.priority());
    }
}
