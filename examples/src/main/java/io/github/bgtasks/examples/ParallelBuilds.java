package io.github.bgtasks.examples;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.GroupResult;
import io.github.bgtasks.TaskGroup;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.board.StatusBoard;
import io.github.bgtasks.process.ProcessBackend;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * "Run the tests on Node 18 and Node 20, the linter and the docs, two at a time; show them on a
 * live status board, and report all at the end." The commands are stand-ins that print what the real ones would; the
 * linter fails.
 */
public final class ParallelBuilds {
    private ParallelBuilds() {
    }

    /**
     * Runs the example.
     *
     * @param args {@code --fast} for the quick variant the tests run
     */
    public static void main(String[] args) {
        try (BackgroundTasks tasks = BackgroundTasks.builder()
                .backend(ProcessBackend.create())
                .logDirectory(Path.of("target", "example-logs").toAbsolutePath())
                .build()) {
            run(tasks, System.out, args.length > 0 && args[0].equals("--fast"));
        }
    }

    /** The example proper; {@code fast} shortens the stand-ins' work to nothing. */
    static GroupResult run(BackgroundTasks tasks, PrintStream out, boolean fast) {
        String work = fast ? "0" : "1";
        TaskGroup checks = tasks.group("checks").maxParallel(2)
                .add(fakeTool("node18-tests", work, "echo '42 tests passed'"))
                .add(fakeTool("node20-tests", work, "echo '42 tests passed'"))
                .add(fakeTool("lint", work, "echo 'src/app.js:3: error: no-unused-vars'; exit 2"))
                .add(fakeTool("docs", work, "echo 'docs written to build/docs'"))
                .start();
        GroupResult all;
        // live on a terminal, one plain line per change otherwise (CI logs, the example's test)
        try (StatusBoard.Live board = StatusBoard.of(tasks).printTo(out)) {
            all = checks.onExit().join();
        }
        all.results().forEach(r -> out.println((r.succeeded() ? "[ok]   " : "[FAIL] ") + r.summary()));
        out.println(all.summary());
        return all;
    }

    private static TaskSpec fakeTool(String name, String seconds, String then) {
        return TaskSpec.shell("sleep " + seconds + "; " + then).name(name).build();
    }
}
