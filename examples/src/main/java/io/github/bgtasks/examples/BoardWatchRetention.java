package io.github.bgtasks.examples;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.Retention;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.board.StatusBoard;
import io.github.bgtasks.process.ProcessBackend;
import io.github.bgtasks.watch.WatchSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The README's status board, watch mode and retention, compiled so that they cannot drift from the API. */
final class BoardWatchRetention {
    private BoardWatchRetention() {
    }

    static void statusBoard() {
        try (BackgroundTasks tasks = BackgroundTasks.builder().backend(ProcessBackend.create()).build()) {
            List<TaskHandle> checks = List.of(
                    tasks.start(TaskSpec.builder("npm", "test").name("tests").build()),
                    tasks.start(TaskSpec.builder("npm", "run", "lint").name("lint").build()),
                    tasks.start(TaskSpec.builder("npm", "run", "docs").name("docs").build()));
            try (StatusBoard.Live board = StatusBoard.of(tasks).printTo(System.out)) {
                checks.forEach(t -> t.onExit().join());
            }   // closing prints the final state once more
        }
    }

    static void watchMode(BackgroundTasks tasks) {
        TaskHandle tests = tasks.start(TaskSpec.builder("npm", "test").name("tests")
                .watch(WatchSpec.builder(Path.of("src"), Path.of("test"))
                        .include("*.js", "*.json")
                        .debounce(Duration.ofMillis(300))
                        .build())
                .build());
        tests.addListener(run -> System.out.println(run.summary()));   // every run
        tests.stop();   // ends the watching
    }

    static void retention() {
        BackgroundTasks tasks = BackgroundTasks.builder()
                .retention(Retention.builder()
                        .maxAge(Duration.ofDays(7))
                        .maxCount(200)
                        .maxTotalBytes(1L << 30)
                        .build())
                .build();
        tasks.clean();   // now, besides after each task's end
        tasks.close();
    }
}
