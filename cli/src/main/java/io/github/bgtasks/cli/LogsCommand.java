package io.github.bgtasks.cli;

import io.github.bgtasks.TaskHandle;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code bgtasks logs NAME [-f] [-n N]} */
@Command(name = "logs", description = "Prints a task's output (its latest run of that name).")
final class LogsCommand implements Callable<Integer> {
    /** How often {@code -f} looks for new output: a person is reading, not a program. */
    private static final long FOLLOW_MILLIS = 200;

    @ParentCommand
    Bgtasks root;

    @Parameters(paramLabel = "NAME", description = "The task's name, or a run's id (such as build.3).")
    String name;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the task ends.")
    boolean follow;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", description = "Print only the last N lines first.")
    Integer lines;

    @Override
    public Integer call() throws Exception {
        if (lines != null && lines < 0) {
            throw CliException.usage("-n must be 0 or more, was " + lines);
        }
        try (Workspace ws = root.workspace) {
            TaskHandle h = ws.find(name).handle();
            PrintStream out = System.out;
            long from = 0;
            if (lines != null) {
                for (String line : h.tail(lines)) {
                    out.println(line);
                }
                from = size(h);
            } else {
                from = copy(h, 0, out);
            }
            while (follow) {
                boolean ended = h.onExit().isDone(); // read before the copy: the output of an ended task is complete
                from = copy(h, from, out);
                if (ended) {
                    break;
                }
                waitABit(h);
            }
            out.flush();
            return 0;
        }
    }

    private static void waitABit(TaskHandle h) throws InterruptedException {
        try {
            h.onExit().get(FOLLOW_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            // more output may come
        }
    }

    private static long size(TaskHandle h) throws IOException {
        try {
            return Files.size(h.logFile());
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    /** Copies the log from byte {@code from} to its current end; returns the new position. */
    private static long copy(TaskHandle h, long from, PrintStream out) throws IOException {
        try (InputStream in = Files.newInputStream(h.logFile())) {
            in.skipNBytes(from);
            long n = in.transferTo(out);
            out.flush();
            return from + n;
        } catch (NoSuchFileException e) {
            throw CliException.failure("the log of " + h.id() + " is gone: " + h.logFile());
        } catch (java.io.EOFException e) {
            return from; // the log was cut shorter
        }
    }
}
