package io.github.bgtasks.examples;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.process.ProcessBackend;
import io.github.bgtasks.watch.WatchSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Stream;

/**
 * "Run the tests again whenever I save." The stand-in test run lists the sources it sees; the
 * example saves two files, one after the other, and prints each run as it ends.
 */
public final class WatchMode {
    private WatchMode() {
    }

    /**
     * Runs the example.
     *
     * @param args {@code --fast} for the quick variant the tests run
     * @throws IOException if the source directory cannot be made
     */
    public static void main(String[] args) throws IOException {
        Path src = Files.createTempDirectory("bgtasks-watch-example");
        try (BackgroundTasks tasks = BackgroundTasks.builder()
                .backend(ProcessBackend.create())
                .logDirectory(Path.of("target", "example-logs").toAbsolutePath())
                .build()) {
            run(tasks, src, System.out, args.length > 0 && args[0].equals("--fast"));
        } finally {
            try (Stream<Path> saved = Files.list(src)) {
                for (Path f : saved.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(src);
        }
    }

    /**
     * The example proper.
     *
     * @param src the directory to watch and save into
     * @param fast a debounce of 100 ms instead of 500 ms
     */
    static void run(BackgroundTasks tasks, Path src, PrintStream out, boolean fast) {
        BlockingQueue<TaskResult> runs = new LinkedBlockingQueue<>();
        TaskHandle tests = tasks.start(TaskSpec.builder("sh", "-c", "echo \"testing:$(cd \"$1\" && ls | sed 's/^/ /' | tr -d '\\n')\"",
                        "tests", src.toString())
                .name("tests")
                .watch(WatchSpec.builder(src).include("*.txt").debounce(Duration.ofMillis(fast ? 100 : 500)).build())
                .build());
        tests.addListener(runs::add);   // hears every run
        out.printf("watching %s; the first run starts now%n", src);
        print(out, take(runs));

        save(out, src.resolve("a.txt"));
        print(out, take(runs));
        save(out, src.resolve("b.txt"));
        print(out, take(runs));

        TaskResult last = tests.stop().join();   // ends the watching
        out.println("stopped watching after " + last.id());
    }

    private static void save(PrintStream out, Path file) {
        try {
            // as editors do: write aside, then rename into place, so that the save is one event
            // (a write in place is two, which a busy machine may deliver a debounce apart)
            Path part = Files.writeString(file.resolveSibling(file.getFileName() + ".part"), "saved\n");
            Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println("saved " + file.getFileName());
    }

    private static void print(PrintStream out, TaskResult run) {
        out.println(run.summary());
        try {
            Files.readAllLines(run.logFile()).forEach(line -> out.println("  | " + line));
        } catch (IOException e) {
            out.println("  (no log: " + e + ")");
        }
    }

    private static TaskResult take(BlockingQueue<TaskResult> runs) {
        try {
            return runs.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a run", e);
        }
    }
}
