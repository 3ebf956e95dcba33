package io.github.bgtasks.examples;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.process.ProcessBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The README's quick start, compiled so that it cannot drift from the API. */
final class QuickStart {
    private static final Logger log = LoggerFactory.getLogger(QuickStart.class);

    private QuickStart() {
    }

    static void quickStart() {
        try (BackgroundTasks tasks = BackgroundTasks.builder()
                .backend(ProcessBackend.create())            // or TmuxBackend.create()
                .logDirectory(Path.of("build/bgtasks"))
                .build()) {
            TaskHandle build = tasks.start(TaskSpec.builder("npm", "run", "build")   // argv, no shell
                    .name("build-main")
                    .workingDirectory(Path.of("webapp"))
                    .environment(Map.of("CI", "true"))
                    .timeout(Duration.ofMinutes(10))         // then SIGTERM, grace period, SIGKILL
                    .build());
            build.addListener(result -> log.info(result.summary()));
            TaskResult r = build.onExit().join();
            r.state();      // SUCCEEDED, FAILED, TIMED_OUT, STOPPED or LOST
            r.exitCode();   // OptionalInt: empty when a signal ended the task (then r.signal())
            r.duration();
            build.tail(20);        // last 20 lines of output
            build.logFile();       // the whole output, kept after the task ends
            tasks.list();          // every task this instance knows, running or finished
        }
        TaskHandle quick = BackgroundTasks.start("nightly", "make", "all"); // shared default instance
        TaskSpec.shell("npm test && npm run lint");   // an explicit shell: the only way a shell is used
        quick.stop();
    }
}
