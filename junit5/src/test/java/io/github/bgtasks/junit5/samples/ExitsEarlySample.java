package io.github.bgtasks.junit5.samples;

import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.junit5.BackgroundTasksExtension;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Run through EngineTestKit: an instance field whose task exits before it is ready. */
public class ExitsEarlySample {
    @RegisterExtension
    final BackgroundTasksExtension tasks = BackgroundTasksExtension.builder()
            .task(TaskSpec.builder("sh", "-c", "echo 'no config file at /etc/app.conf' >&2; exit 3")
                    .name("app")
                    .readiness(Readiness.logLine(Pattern.compile("listening")), Duration.ofMinutes(10))
                    .build())
            .build();

    @Test
    void neverRuns() {
        // must not run
    }
}
