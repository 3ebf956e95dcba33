package io.github.bgtasks.tmux;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code Output.DIRECT}: the command writes its log itself (no {@code pipe-pane} in the way),
 * the pane shows the log, and typed input still reaches the command.
 */
class DirectOutputTest {
    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();
    static BackgroundTasks tasks;

    @BeforeAll
    static void setUp() {
        tasks = SERVER.tasks(TmuxBackend.Output.DIRECT);
    }

    @Test
    void logHasStdoutAndStderrExactlyAndIsCompleteAtTheEnd() throws Exception {
        // More than a pipe's buffer, then stderr, then a line without a newline, then the end at once.
        String script = "i=1; while [ $i -le 20000 ]; do echo \"line $i\"; i=$((i+1)); done;"
                + " [ -t 1 ] && echo stdout-is-a-tty || echo stdout-is-a-file; echo 'to stderr' >&2;"
                + " printf 'utf8 \\303\\274 #{pid} no newline'";
        TaskHandle t = tasks.start(TaskSpec.builder("sh", "-c", script).name("direct-bytes").build());
        TaskResult r = t.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
        StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= 20000; i++) {
            expected.append("line ").append(i).append('\n');
        }
        expected.append("stdout-is-a-file\nto stderr\nutf8 \u00fc #{pid} no newline");
        // No terminal in between: no \r, and everything is there when the end is reported.
        assertEquals(expected.toString(), Files.readString(t.logFile(), StandardCharsets.UTF_8));
    }

    @Test
    void paneShowsTheLogAndTypedInputReachesTheCommand() throws Exception {
        String marker = Fixtures.marker();
        String script = "echo ready-to-read; [ -t 0 ] && echo stdin-is-a-tty; read -r line; echo \"got $line\";"
                + " exec sleep " + marker;
        TaskHandle t = tasks.start(TaskSpec.builder("sh", "-c", script).name("direct-input").build());
        try {
            // A person attached sees the output although it goes to the file.
            await().atMost(Fixtures.PATIENCE).until(() -> screen("direct-input").contains("stdin-is-a-tty"));
            t.send("hello there");
            await().atMost(Fixtures.PATIENCE).until(() -> Files.readString(t.logFile()).contains("got hello there"));
            await().atMost(Fixtures.PATIENCE).until(() -> screen("direct-input").contains("got hello there"));
            assertEquals(List.of("ready-to-read", "stdin-is-a-tty", "got hello there"),
                    Files.readAllLines(t.logFile()));
        } finally {
            t.kill();
        }
        TaskResult r = t.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(TaskState.STOPPED, r.state(), r.toString());
        // The viewer went with the task: nothing of it is left.
        await().atMost(Fixtures.PATIENCE).until(() -> Fixtures.withMarker(marker).isEmpty());
    }

    @Test
    void paneCatchesUpWithABurstAndTheLogHasAllOfIt() throws Exception {
        String marker = Fixtures.marker();
        // 1 MiB at once: the pane shows its end (the view may leave out the middle), the log all of it.
        String script = "head -c 1048576 /dev/zero | tr '\\0' x; echo; echo burst-end; exec sleep " + marker;
        TaskHandle t = tasks.start(TaskSpec.builder("sh", "-c", script).name("direct-burst").build());
        try {
            await().atMost(Fixtures.PATIENCE).until(() -> screen("direct-burst").contains("burst-end"));
            assertEquals(1048576 + "\nburst-end\n".length(), Files.size(t.logFile()));
        } finally {
            t.kill();
        }
        assertEquals(TaskState.STOPPED, t.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS).state());
    }

    private static String screen(String session) throws Exception {
        return SERVER.tmux("capture-pane", "-p", "-t", "=" + session + ":");
    }
}
