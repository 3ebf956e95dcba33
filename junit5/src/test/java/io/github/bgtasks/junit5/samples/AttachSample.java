package io.github.bgtasks.junit5.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.junit5.BackgroundTasksExtension;
import io.github.bgtasks.process.ProcessBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Run by the tests through EngineTestKit: attaches to the task "web" that another instance
 * started detached in {@link #stateDirectory}, as a test attaches to what the Maven plugin kept.
 */
public class AttachSample {
    /** The detached state directory to look in; set before the run. */
    public static volatile Path stateDirectory;
    /** The attached task's pid and last line, as the test saw them. */
    public static final List<String> SEEN = new CopyOnWriteArrayList<>();

    @RegisterExtension
    static final BackgroundTasksExtension BUILD_TASKS = BackgroundTasksExtension.builder()
            .backgroundTasks(() -> BackgroundTasks.builder().backend(ProcessBackend.detached(stateDirectory))
                    .logDirectory(stateDirectory.resolveSibling("attach-logs")).build())
            .attach("web")
            .build();

    @Test
    void usesTheRunningTask(TaskHandle web) {
        assertEquals(TaskState.RUNNING, web.state());
        SEEN.add(web.pid().orElseThrow() + " " + String.join("|", web.tail(5)) + " " + web.logFile());
    }
}
