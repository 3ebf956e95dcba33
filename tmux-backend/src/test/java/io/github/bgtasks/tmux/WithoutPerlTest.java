package io.github.bgtasks.tmux;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The wrapper's fallback where Perl is missing: the shell's view of exit statuses. */
class WithoutPerlTest {
    /** Unique arguments that mark this class's processes. */
    private static final String M501 = Fixtures.marker();

    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();
    static BackgroundTasks tasks;

    @BeforeAll
    static void setUp() {
        tasks = BackgroundTasks.builder()
                .backend(TmuxBackend.builder().socketName(SERVER.socket).stateDirectory(SERVER.stateDir()).withoutPerl().build())
                .logDirectory(SERVER.logDir()).build();
        SERVER.opened.add(tasks);
    }

    private static TaskResult run(String name, String... argv) throws Exception {
        return tasks.start(TaskSpec.builder(argv).name(name).build()).onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void exitCodesAndSignalsAsTheShellSeesThem() throws Exception {
        assertEquals(OptionalInt.of(3), run("three", "sh", "-c", "exit 3").exitCode());
        assertEquals(OptionalInt.of(15), run("term", "sh", "-c", "kill -TERM $$").signal());
        // The documented ambiguity: to a shell, exit 130 and death by SIGINT look the same.
        assertEquals(OptionalInt.of(2), run("ambiguous", "sh", "-c", "exit 130").signal());
    }

    @Test
    void ctrlCStillReachesTheTaskAndOddVariableNamesArrive() throws Exception {
        TaskHandle t = tasks.start(TaskSpec.builder("sleep", M501).name("ctrl-c").build());
        await().atMost(Fixtures.PATIENCE).until(() -> !Fixtures.withMarker(M501).isEmpty());
        SERVER.tmux("send-keys", "-t", "=ctrl-c:", "C-c");
        assertEquals(OptionalInt.of(2), t.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS).signal());
        // (A shell drops such names; env(1) shows them.)
        TaskHandle e = tasks.start(TaskSpec.builder("/usr/bin/env").name("odd-env").environment(Map.of("odd.name", "v")).build());
        e.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(true, Files.readString(e.logFile(), StandardCharsets.UTF_8).contains("odd.name=v\r\n"));
    }

    @Test
    void aProgramWithEqualsInItsNameIsRefusedBeforeAnythingIsCreated() throws Exception {
        Path program = Files.createTempDirectory(SERVER.logDir().getParent(), "eq").resolve("a=b");
        Files.writeString(program, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(program, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tasks.start(TaskSpec.builder(program.toString()).name("equals").build()));
        assertTrue(e.getMessage().contains("contains '='") && e.getMessage().contains("install Perl"), e.getMessage());
        assertTrue(tasks.find("equals").isEmpty());
        try (var logs = Files.list(SERVER.logDir())) {
            assertTrue(logs.noneMatch(p -> p.getFileName().toString().startsWith("equals")), "a log was created");
        }
    }
}
