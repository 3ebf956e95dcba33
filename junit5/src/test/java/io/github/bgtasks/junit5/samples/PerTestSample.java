package io.github.bgtasks.junit5.samples;

import static org.junit.jupiter.api.Assertions.fail;

import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.junit5.BackgroundTasksExtension;
import io.github.bgtasks.junit5.TaskName;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Run through EngineTestKit: an instance field, so two tasks per test (no readiness), one failing test. */
public class PerTestSample {
    /** The marker argument of the tasks' processes; set before the run. */
    public static volatile String marker;
    /** The pid of task "a" as each test saw it. */
    public static final List<Long> PIDS = new CopyOnWriteArrayList<>();

    @RegisterExtension
    final BackgroundTasksExtension tasks = BackgroundTasksExtension.builder()
            .task(TaskSpec.builder("sh", "-c", "echo a is up; exec sleep \"$0\"", marker).name("a").build())
            .task(TaskSpec.builder("sh", "-c", "echo b is up; exec sleep \"$0\"", marker).name("b").build())
            .build();

    @Test
    void first(@TaskName("a") TaskHandle a) {
        PIDS.add(a.pid().orElseThrow());
    }

    @Test
    void second(@TaskName("a") TaskHandle a, @TaskName("b") TaskHandle b) {
        PIDS.add(a.pid().orElseThrow());
        fail("the second test failed");
    }
}
