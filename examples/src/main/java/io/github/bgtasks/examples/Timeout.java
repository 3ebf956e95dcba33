package io.github.bgtasks.examples;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.process.ProcessBackend;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * "A database migration hangs on a lock: give up after a while and leave nothing behind." The
 * stand-in migration starts a helper process and both wait forever; at the timeout the whole
 * process tree gets SIGTERM, then SIGKILL after the grace period, and the result says
 * {@code TIMED_OUT}.
 */
public final class Timeout {
    private Timeout() {
    }

    /**
     * Runs the example.
     *
     * @param args {@code --fast} for the quick variant the tests run
     * @throws IOException if the scratch directory cannot be made
     */
    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "example-timeout").toAbsolutePath());
        try (BackgroundTasks tasks = BackgroundTasks.builder()
                .backend(ProcessBackend.create())
                .logDirectory(dir.resolve("logs"))
                .build()) {
            run(tasks, dir, System.out, args.length > 0 && args[0].equals("--fast"));
        }
    }

    /**
     * The example proper.
     *
     * @param dir where the migration's lock file goes (its processes name it, so they can be found)
     * @param fast a one-second timeout instead of three
     * @return the migration's result, and the process tree it had
     */
    static Outcome run(BackgroundTasks tasks, Path dir, PrintStream out, boolean fast) {
        Path lock = dir.resolve("db.lock");
        try {
            Files.writeString(lock, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // `tail -f` waits for lines that never come: a hang that costs no CPU
        TaskHandle migrate = tasks.start(TaskSpec.builder("sh", "-c",
                        "tail -f \"$1\" & tail -f \"$1\" & echo 'migrating: waiting for the lock'; wait", "migrate", lock.toString())
                .name("migrate")
                .readiness(Readiness.logLine(Pattern.compile("waiting for the lock")), Duration.ofSeconds(30))
                .timeout(Duration.ofSeconds(fast ? 1 : 3))
                .build());
        migrate.onReady().join();   // the shell has forked both helpers by then
        List<Long> tree = processTree(migrate);
        out.printf("started %s, a process tree of %d: %s%n", migrate.id(), tree.size(), tree);

        TaskResult result = migrate.onExit().join();
        out.println(result.summary());
        migrate.tail(3).forEach(line -> out.println("  | " + line));
        // the result comes when the task's own process has exited; the helpers got their signal
        // at the same moment and may take a moment longer
        CompletableFuture<?>[] ends = tree.stream().map(ProcessHandle::of).flatMap(Optional::stream)
                .map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(ends).get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            // reported below
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("waiting for the process tree to end", e);
        }
        long alive = tree.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).count();
        out.printf("processes of the tree still running: %d%n", alive);
        return new Outcome(result, tree);
    }

    /** The task's process and its descendants. */
    private static List<Long> processTree(TaskHandle task) {
        return ProcessHandle.of(task.pid().orElseThrow())
                .map(shell -> Stream.concat(Stream.of(shell), shell.descendants()).map(ProcessHandle::pid).toList())
                .orElse(List.of());
    }

    /** What the example saw: the result and the pids of the tree. */
    record Outcome(TaskResult result, List<Long> tree) {
    }
}
