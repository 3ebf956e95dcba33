package io.github.bgtasks.tmux;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The "first JVM" of {@link AdoptionTest}: starts three tasks on the given socket, state and
 * log directories, prints their ids and exits, leaving them to tmux.
 */
public final class FirstJvm {
    private FirstJvm() {
    }

    /**
     * Starts the tasks.
     *
     * @param args socket name, state directory, log directory, a unique sleep argument for the timed task
     */
    public static void main(String[] args) {
        try (BackgroundTasks tasks = BackgroundTasks.builder()
                .backend(TmuxBackend.builder().socketName(args[0]).stateDirectory(Path.of(args[1])).build())
                .logDirectory(Path.of(args[2]))
                .stopTasksOnClose(false)
                .build()) {
            TaskHandle survivor = tasks.start(TaskSpec.builder("sh", "-c", "echo started; read -r l; echo \"got:$l\"; exit 7")
                    .name("survivor").build());
            TaskHandle meanwhile = tasks.start(TaskSpec.builder("sh", "-c", "sleep 0.3; echo bye; exit 5")
                    .name("meanwhile").build());
            TaskHandle timed = tasks.start(TaskSpec.builder("sleep", args[3]).name("timed")
                    .timeout(Duration.ofMillis(800)).build());
            System.out.println(survivor.id() + " " + meanwhile.id() + " " + timed.id());
        }
        System.exit(0);
    }
}
