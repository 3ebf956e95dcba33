package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A task starts with the signals that the helper blocks, ignores or handles at their default
 * action and unblocked. The helper blocks some instead of ignoring them, so that its child need
 * not reset each before exec (an ignored signal stays ignored across exec; a blocked one stays
 * blocked unless the child unblocks it).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskSignalsTest extends RealProcessTest {
    /** HUP INT QUIT PIPE TERM CHLD TSTP TTIN TTOU: what the helper blocks or handles. */
    private static final Map<String, Integer> SIGNALS = Map.of("HUP", 1, "INT", 2, "QUIT", 3, "PIPE", 13, "TERM", 15,
            "CHLD", 17, "TSTP", 20, "TTIN", 21, "TTOU", 22);

    @Test
    void aTaskStartsWithTheHelpersSignalsUnblockedAndAtTheirDefaultAction() {
        BackgroundTasks tasks = newTasks();
        TaskHandle h = tasks.start(TaskSpec.builder("grep", "^Sig", "/proc/self/status").build());
        TaskResult r = h.onExit().join();
        assertEquals(TaskState.SUCCEEDED, r.state(), r + " " + h.tail(5));
        assertDefaults(text(h.logFile()));
    }

    /** The JVM may run with signals ignored (started by nohup, or in the background of a script). */
    @Test
    void signalsIgnoredWhenTheHelperStartedAreAtTheirDefaultActionInTasks() throws Exception {
        String traps = SIGNALS.keySet().stream().filter(s -> !s.equals("CHLD")).collect(Collectors.joining(" "));
        Path log = Files.createFile(dir.resolve("signals.log"));
        try (HelperDriver helper = new HelperDriver(List.of("/bin/sh", "-c", "trap '' " + traps + "; exec \"$@\"", "sh"))) {
            helper.start("t1", 1000, dir, log, "grep", "^Sig", "/proc/self/status");
            assertEquals("x t1 e 0", helper.awaitReply(l -> l.startsWith("x t1 ")));
        }
        assertDefaults(text(log));
    }

    private static void assertDefaults(String status) {
        long blocked = mask(status, "SigBlk");
        long ignored = mask(status, "SigIgn");
        SIGNALS.forEach((name, n) -> {
            assertEquals(0, blocked & (1L << (n - 1)), "SIG" + name + " is blocked in the task:\n" + status);
            assertEquals(0, ignored & (1L << (n - 1)), "SIG" + name + " is ignored in the task:\n" + status);
        });
    }

    private static long mask(String status, String field) {
        for (String line : status.split("\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseUnsignedLong(line.substring(field.length() + 1).strip(), 16);
            }
        }
        assertTrue(false, "no " + field + " in:\n" + status);
        return 0;
    }
}
