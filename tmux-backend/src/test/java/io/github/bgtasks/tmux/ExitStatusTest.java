package io.github.bgtasks.tmux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Exit codes, signals and the log, as the core API shows them. */
class ExitStatusTest {
    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();
    static BackgroundTasks tasks;

    @BeforeAll
    static void setUp() {
        tasks = SERVER.tasks();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 127, 128, 130, 143, 255})
    void reportsExitCodes(int code) throws Exception {
        TaskResult r = tasks.start(TaskSpec.builder("sh", "-c", "exit " + code).name("code-" + code).build())
                .onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(code == 0 ? TaskState.SUCCEEDED : TaskState.FAILED, r.state(), r.toString());
        assertEquals(OptionalInt.of(code), r.exitCode());
        assertEquals(OptionalInt.empty(), r.signal());
    }

    /** A program that exists but cannot be run (its interpreter is missing) ends 127, as in a shell. */
    @Test
    void aProgramWhoseInterpreterIsMissingEnds127(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path script = tmp.resolve("no-interpreter");
        Files.writeString(script, "#!" + tmp.resolve("missing-interpreter") + "\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        TaskResult r = tasks.start(TaskSpec.builder(script.toString()).name("no-interpreter").build())
                .onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(OptionalInt.of(127), r.exitCode(), r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"SEGV", "KILL", "TERM", "USR1"})
    void reportsDeathBySignalApartFromExitCodes(String signal) throws Exception {
        TaskResult r = tasks.start(TaskSpec.builder("sh", "-c", "kill -" + signal + " $$").name("sig-" + signal).build())
                .onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        int number = switch (signal) {
            case "SEGV" -> 11;
            case "KILL" -> 9;
            case "TERM" -> 15;
            default -> 10;
        };
        assertEquals(TaskState.FAILED, r.state(), r.toString());
        assertEquals(OptionalInt.empty(), r.exitCode());
        assertEquals(OptionalInt.of(number), r.signal());
    }

    @Test
    void logHasTheFirstLineOfInstantTasks() throws Exception {
        List<TaskHandle> started = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            started.add(tasks.start(TaskSpec.builder("printf", "START-%s\\n", Integer.toString(i)).name("instant-" + i).build()));
        }
        for (int i = 0; i < started.size(); i++) {
            TaskResult r = started.get(i).onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(TaskState.SUCCEEDED, r.state());
            // The exit is reported only once the log has everything: no waiting needed here.
            assertEquals(List.of("START-" + i), started.get(i).tail(5));
        }
    }

    @Test
    void logIsByteExactAndKeepsWhatScrolledOffTheScreen() throws Exception {
        // 60,000 numbered lines: more than the screen and more than tmux's history-limit.
        String script = "i=1; while [ $i -le 60000 ]; do echo \"line $i\"; i=$((i+1)); done;"
                + " printf 'utf8 \\303\\274 semi; #{pid} $(x) tab\\tend\\n'; printf 'no newline'";
        TaskHandle t = tasks.start(TaskSpec.builder("sh", "-c", script).name("bytes").build());
        assertEquals(TaskState.SUCCEEDED, t.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS).state());
        StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= 60000; i++) {
            expected.append("line ").append(i).append('\n');
        }
        expected.append("utf8 \u00fc semi; #{pid} $(x) tab\tend\nno newline");
        // The log is the terminal's byte stream: the only change is ONLCR's \r before each \n.
        String log = Files.readString(t.logFile(), StandardCharsets.UTF_8);
        assertTrue(log.contains("\r\n"));
        assertEquals(expected.toString(), log.replace("\r\n", "\n"));
        assertEquals(List.of("line 60000", "utf8 \u00fc semi; #{pid} $(x) tab\tend", "no newline"), t.tail(3));
    }

    @Test
    void missingProgramIsRefusedBeforeAnythingStarts() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> tasks.start(TaskSpec.builder("/no/such/program").name("missing").build()));
        assertTrue(e.getMessage().contains("/no/such/program"), e.getMessage());
    }
}
