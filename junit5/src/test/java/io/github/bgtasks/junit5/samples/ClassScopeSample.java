package io.github.bgtasks.junit5.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.junit5.BackgroundTasksExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Run by the tests through EngineTestKit, not by Surefire (no "Test" in its name): one task for the class, one failing test. */
public class ClassScopeSample {
    /** The marker argument of the task's processes; set before the run. */
    public static volatile String marker;
    /** The task's pid as each test saw it. */
    public static final List<Long> PIDS = new CopyOnWriteArrayList<>();

    @RegisterExtension
    static final BackgroundTasksExtension TASKS = BackgroundTasksExtension.builder()
            .task(ports -> TaskSpec.builder("sh", "-c", "echo 'first line'; echo \"serving on $1\"; sleep \"$0\" & wait",
                            marker, String.valueOf(ports.port("http")))
                    .name("server")
                    .readiness(Readiness.logLine(Pattern.compile("serving on")), Duration.ofMinutes(1))
                    .build())
            .build();

    @Test
    void passes(TaskHandle server) {
        PIDS.add(server.pid().orElseThrow());
        assertEquals(TaskState.RUNNING, server.state());
    }

    @Test
    void fails() {
        PIDS.add(TASKS.handle("server").pid().orElseThrow());
        fail("the test failed");
    }
}
