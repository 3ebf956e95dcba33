package io.github.bgtasks.examples;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.process.ProcessBackend;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * "A database migration hangs on a lock: give up after a while and leave nothing behind." The
 * stand-in migration starts a helper process and both wait forever; at the timeout the whole
 * process tree gets SIGTERM, then SIGKILL after the grace period, and the result says
 * {@code TIMED_OUT}.
 */
public final class Timeout {
    private static final Pattern HELPERS = Pattern.compile("helpers (\\d+) (\\d+)");

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
     * @param fast a two-second timeout instead of five
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
        TaskHandle migrate = tasks.start(TaskSpec.builder("sh", "-c", "tail -f \"$1\" & t=$!; tail -f \"$1\" & "
                        + "echo \"migrating (helpers $t $!): waiting for the lock\"; wait", "migrate", lock.toString())
                .name("migrate")
                .timeout(Duration.ofSeconds(fast ? 2 : 5))
                .build());
        out.printf("started %s, pid %d%n", migrate.id(), migrate.pid().orElseThrow());

        TaskResult result = migrate.onExit().join();
        out.println(result.summary());
        List<String> lines = migrate.tail(3);
        lines.forEach(line -> out.println("  | " + line));
        List<Long> tree = new ArrayList<>(List.of(migrate.pid().orElseThrow()));
        lines.stream().map(HELPERS::matcher).filter(Matcher::find).findFirst()
                .ifPresent(m -> tree.addAll(List.of(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)))));
        out.printf("the task's process tree: %s%n", tree);
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

    /** What the example saw: the result and the pids of the tree. */
    record Outcome(TaskResult result, List<Long> tree) {
    }
}
