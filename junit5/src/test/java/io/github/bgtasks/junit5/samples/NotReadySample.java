package io.github.bgtasks.junit5.samples;

import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.junit5.BackgroundTasksExtension;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Run through EngineTestKit: the first task gets ready, the second prints a line but never the
 * one its readiness waits for, so it passes its deadline. The test must not run.
 */
public class NotReadySample {
    /** The marker argument of the tasks' processes; set before the run. */
    public static volatile String marker;
    /** The readiness deadline of the second task; set before the run. */
    public static volatile Duration deadline = Duration.ofSeconds(1);
    /** Set when the test ran, which it must not. */
    public static volatile boolean ran;

    @RegisterExtension
    static final BackgroundTasksExtension TASKS = BackgroundTasksExtension.builder()
            .task(ports -> TaskSpec.builder("sh", "-c", "echo database up; exec sleep \"$0\"", marker)
                    .name("database")
                    .readiness(Readiness.logLine(Pattern.compile("up")), Duration.ofMinutes(1))
                    .build())
            .task(ports -> TaskSpec.builder("sh", "-c", "echo 'waiting for a licence'; sleep \"$0\" & wait", marker)
                    .name("server")
                    .readiness(Readiness.logLine(Pattern.compile("started")), deadline)
                    .build())
            .build();

    @Test
    void neverRuns() {
        ran = true;
    }
}
