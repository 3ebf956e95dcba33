package io.github.bgtasks.junit5.samples;

import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.junit5.BackgroundTasksExtension;
import java.io.IOException;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Run by {@link ChildLauncher} in a child JVM that the test kills: a task tree (a shell and its
 * child) marked with the system property {@code sample.marker}; the test says so on standard
 * output and then holds until its standard input ends.
 */
public class KilledJvmSample {
    @RegisterExtension
    static final BackgroundTasksExtension TASKS = BackgroundTasksExtension.builder()
            .task(TaskSpec.builder("sh", "-c", "sleep \"$0\" & echo up; wait", System.getProperty("sample.marker"))
                    .name("tree")
                    .readiness(Readiness.logLine(Pattern.compile("up")), Duration.ofMinutes(1))
                    .build())
            .build();

    @Test
    void holds() throws IOException {
        System.out.println("test running, task pid " + TASKS.handle("tree").pid().orElseThrow());
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold until killed
        }
    }
}
