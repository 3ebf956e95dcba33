package io.github.bgtasks.examples;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.process.ProcessBackend;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs four tasks in parallel, as a build tool would: one succeeds with a warning, one fails,
 * one hangs and is timed out, one is quick. Each is reported the moment it ends.
 */
public final class Demo {
    private Demo() {
    }

    /**
     * Runs the demo.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        long started = System.nanoTime();
        Path logs = Path.of("target", "demo-logs").toAbsolutePath();
        try (BackgroundTasks tasks = BackgroundTasks.builder()
                .backend(ProcessBackend.create())
                .logDirectory(logs)
                .stopGracePeriod(Duration.ofSeconds(2))
                .build()) {
            run(tasks, logs, System.out);
        }
        System.out.printf("%nall done in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    /** The demo proper, printing to {@code out}; its test runs it as it is (it takes about two seconds). */
    static void run(BackgroundTasks tasks, Path logs, PrintStream out) {
        List<TaskHandle> all = List.of(
                tasks.start(TaskSpec.shell("for m in core api web; do echo \"compiling $m\"; sleep 0.4; done; "
                        + "echo 'WARNING: 1 deprecated API used'").name("compile").build()),
                tasks.start(TaskSpec.shell("echo 'running 42 tests'; sleep 1; "
                        + "echo 'ERROR: parsesDates failed: expected 2026 but was 1970'; exit 1").name("unit-tests").build()),
                tasks.start(TaskSpec.builder("sh", "-c", "echo 'dev server on :8080'; exec sleep 600")
                        .name("dev-server").timeout(Duration.ofSeconds(2)).build()),
                tasks.start(TaskSpec.builder("uname", "-sr").name("platform").build()));
        out.printf("started %d tasks in parallel; logs in %s%n", all.size(), logs);
        all.forEach(task -> task.addListener(result -> report(out, result)));
        CompletableFuture.allOf(all.stream().map(TaskHandle::onExit).toArray(CompletableFuture[]::new)).join();
        TaskResult failed = all.get(1).onExit().join();
        out.printf("%nlast lines of %s (%s):%n", failed.name(), failed.logFile());
        all.get(1).tail(2).forEach(line -> out.println("  | " + line));
    }

    private static void report(PrintStream out, TaskResult result) {
        String mark = result.succeeded() ? "ok  " : "FAIL";
        out.printf("%s %s%n", mark, result.summary());
        result.errorLines().forEach(line -> out.println("       error: " + line));
    }
}
