package io.github.bgtasks.examples;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.tmux.TmuxBackend;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * "Start the release build, close my program, come back later and pick it up where it is." Two
 * JVMs share a private tmux server ({@code tmux -L <socket>}) and a state directory: the first
 * starts the build and exits; the second finds the build by name, shows its output so far,
 * answers its question and waits for its end. Run without arguments, the example starts the
 * first phase as a JVM of its own, runs the second itself, and ends the tmux server at the end.
 */
public final class ResumeMonitoring {
    private ResumeMonitoring() {
    }

    /**
     * Runs the example.
     *
     * @param args {@code [--fast]} for both phases (the fast variant is the one the tests run);
     *     {@code start SOCKET STATE_DIR LOG_DIR [--fast]} for the first phase alone
     * @throws IOException if a directory cannot be made
     * @throws InterruptedException if interrupted while the first phase runs
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length >= 4 && args[0].equals("start")) {
            start(args[1], Path.of(args[2]), Path.of(args[3]), System.out, args.length > 4 && args[4].equals("--fast"));
            return; // close() has left the task running in tmux; this JVM ends here
        }
        String socket = "bgtasks-example-" + ProcessHandle.current().pid();
        Path state = Path.of("target", "example-tmux-state", socket).toAbsolutePath();
        Path logs = Path.of("target", "example-logs").toAbsolutePath();
        run(socket, state, logs, System.out, args.length > 0 && args[0].equals("--fast"));
    }

    /**
     * Both phases: the first in a new JVM, the second in this one; then ends the tmux server.
     *
     * @param socket the private tmux server's name
     * @param state the tasks' state directory
     * @param logs the log directory
     * @param fast no stand-in work before the build asks its question
     * @return the build's result as the second phase saw it
     */
    static TaskResult run(String socket, Path state, Path logs, PrintStream out, boolean fast)
            throws IOException, InterruptedException {
        try {
            List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ResumeMonitoring.class.getName(),
                    "start", socket, state.toString(), logs.toString()));
            if (fast) {
                java.add("--fast");
            }
            // a file, not a pipe: nothing that outlives the JVM can hold it open
            File phase1 = Files.createTempFile("bgtasks-resume-phase1", ".txt").toFile();
            try {
                Process p = new ProcessBuilder(java).redirectErrorStream(true).redirectOutput(phase1).start();
                boolean ended = p.waitFor(5, TimeUnit.MINUTES);
                Files.readAllLines(phase1.toPath()).forEach(out::println);
                if (!ended) {
                    p.destroyForcibly();
                    throw new IllegalStateException("the first phase did not end in 5 minutes");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("the first phase failed with exit " + p.exitValue());
                }
            } finally {
                Files.deleteIfExists(phase1.toPath());
            }
            return resume(socket, state, logs, out);
        } finally {
            // the example's own server: never the user's tmux
            new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
    }

    /** Phase 1: starts the build, waits until it asks its question, and returns (tmux keeps it). */
    static void start(String socket, Path state, Path logs, PrintStream out, boolean fast) {
        try (BackgroundTasks tasks = tasks(socket, state, logs)) {
            TaskHandle build = tasks.start(TaskSpec.builder("sh", "-c",
                            "echo 'compiling'; sleep " + (fast ? 0 : 2) + "; echo 'tests passed'; "
                                    + "echo 'release which version?'; read version; echo \"releasing $version\"",
                            "release", state.toString())
                    .name("release")
                    .readiness(Readiness.logLine(Pattern.compile("which version")), Duration.ofMinutes(2))
                    .build());
            build.onReady().join();
            out.printf("phase 1, pid %d: started %s in tmux; watch it live with: %s%n",
                    ProcessHandle.current().pid(), build.id(), build.attachCommand().orElseThrow());
        }
        out.println("phase 1: exiting; the build keeps running");
    }

    /** Phase 2: finds the build by name, shows what it printed, answers it, and waits for its end. */
    static TaskResult resume(String socket, Path state, Path logs, PrintStream out) {
        try (BackgroundTasks tasks = tasks(socket, state, logs)) {
            TaskHandle build = tasks.find("release").orElseThrow(
                    () -> new IllegalStateException("no task 'release' on tmux server " + socket));
            out.printf("phase 2, pid %d: found %s %s, started %s%n",
                    ProcessHandle.current().pid(), build.id(), build.state(), build.startedAt());
            build.tail(10).forEach(line -> out.println("  | " + line));
            build.send("1.4.2");
            TaskResult result = build.onExit().join();
            out.println(result.summary());
            build.tail(10).forEach(line -> out.println("  | " + line));
            tasks.remove(build);   // its state goes; its log stays
            return result;
        }
    }

    private static BackgroundTasks tasks(String socket, Path state, Path logs) {
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return BackgroundTasks.builder()
                .backend(TmuxBackend.builder().socketName(socket).stateDirectory(state).build())
                .logDirectory(logs)
                .build();
    }
}
