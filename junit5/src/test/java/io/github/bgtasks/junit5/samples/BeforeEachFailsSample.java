package io.github.bgtasks.junit5.samples;

import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.junit5.BackgroundTasksExtension;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Run through EngineTestKit: a {@code @BeforeEach} method fails; its report must show the task's lines too. */
public class BeforeEachFailsSample {
    /** The marker argument of the task's processes; set before the run. */
    public static volatile String marker;

    @RegisterExtension
    static final BackgroundTasksExtension TASKS = BackgroundTasksExtension.builder()
            .task(ports -> TaskSpec.builder("sh", "-c", "echo 'queue listening'; exec sleep \"$0\"", marker)
                    .name("queue")
                    .readiness(Readiness.logLine(Pattern.compile("listening")), Duration.ofMinutes(1))
                    .build())
            .reportLines(5)
            .build();

    @BeforeEach
    void setUp() {
        throw new IllegalStateException("the fixture failed");
    }

    @Test
    void neverRuns() {
        // its @BeforeEach fails
    }
}
