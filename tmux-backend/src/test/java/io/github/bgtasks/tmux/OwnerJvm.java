package io.github.bgtasks.tmux;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import java.nio.file.Path;

/**
 * The "JVM A" of {@link OwnershipTest}: starts a task that blocks on a tmux channel and then
 * exits 3, prints {@code STARTED <id>}, waits for the task's end and prints
 * {@code RESULT <state> <exit code>}.
 */
public final class OwnerJvm {
    private OwnerJvm() {
    }

    /**
     * Runs the task.
     *
     * @param args socket name, state directory, log directory, tmux channel
     * @throws Exception if anything fails
     */
    public static void main(String[] args) throws Exception {
        try (BackgroundTasks tasks = BackgroundTasks.builder()
                .backend(TmuxBackend.builder().socketName(args[0]).stateDirectory(Path.of(args[1])).build())
                .logDirectory(Path.of(args[2]))
                .stopTasksOnClose(false)
                .build()) {
            TaskHandle t = tasks.start(TaskSpec.builder("sh", "-c", "tmux -L \"$1\" wait-for \"$2\"; exit 3", "sh",
                    args[0], args[3]).name("owned").build());
            System.out.println("STARTED " + t.id());
            System.out.flush();
            TaskResult r = t.onExit().get();
            System.out.println("RESULT " + r.state() + " " + r.exitCode().orElse(-1) + " " + r.lostReason().orElse(""));
        }
        System.exit(0);
    }
}
