package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A task holds its stdin, stdout and stderr, and nothing else of the helper's: not the JVM's
 * pipes, not the stdin pipes of the other tasks (which would keep a task's stdin open after
 * the helper closed it), not another task's log.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskDescriptorsTest extends RealProcessTest {
    @Test
    void aTaskHoldsItsThreeDescriptorsAndNoneOfTheHelpersOrOtherTasks() throws IOException {
        BackgroundTasks tasks = newTasks();
        String m = marker();
        for (int i = 0; i < 3; i++) { // their stdin pipes are open in the helper when the fourth starts
            tasks.start(TaskSpec.builder("sleep", m).name("other-" + i).build());
        }
        TaskHandle h = tasks.start(TaskSpec.builder("sleep", m).name("looked-at").build());
        awaitRunning(m, 4);
        long pid = h.pid().orElseThrow();

        Path fds = Path.of("/proc", Long.toString(pid), "fd");
        Set<String> open = new TreeSet<>();
        try (Stream<Path> s = Files.list(fds)) {
            s.forEach(p -> open.add(p.getFileName().toString()));
        }
        assertEquals(Set.of("0", "1", "2"), open, "descriptors of the task " + pid);
        Path log = h.logFile().toRealPath();
        assertEquals(log, Files.readSymbolicLink(fds.resolve("1")), "stdout");
        assertEquals(log, Files.readSymbolicLink(fds.resolve("2")), "stderr");
        assertTrue(Files.readSymbolicLink(fds.resolve("0")).toString().startsWith("pipe:"), "stdin is a pipe from the helper");
    }
}
