package io.github.bgtasks.tmux;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.board.StatusBoard;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The program of {@link LiveBoardTest}, run in a tmux pane: three tasks (one passes, one fails
 * with exit 2, one waits on a tmux channel) under a live {@link StatusBoard} that detects the
 * pane as a terminal by itself; prints {@code BOARD-DONE} once the waiting task has passed.
 */
public final class BoardJvm {
    private BoardJvm() {
    }

    /**
     * Runs the board.
     *
     * @param args socket name, state directory, log directory, tmux channel, marker
     * @throws Exception if anything fails
     */
    public static void main(String[] args) throws Exception {
        try (BackgroundTasks tasks = BackgroundTasks.builder()
                .backend(TmuxBackend.builder().socketName(args[0]).stateDirectory(Path.of(args[1])).build())
                .logDirectory(Path.of(args[2]))
                .build()) {
            tasks.start(TaskSpec.builder("sh", "-c", "echo compiled 12 files", "sh", args[4]).name("passes").build())
                    .onExit().join();
            tasks.start(TaskSpec.builder("sh", "-c", "echo 'src/a.js:3 error: bad'; exit 2", "sh", args[4]).name("fails")
                    .build()).onExit().join();
            TaskHandle waits = tasks.start(TaskSpec.builder("sh", "-c",
                    "echo waiting for the channel; tmux -L \"$1\" wait-for \"$2\"; echo released", "sh", args[0], args[3],
                    args[4]).name("waits").build());
            try (StatusBoard.Live board = StatusBoard.of(tasks).refreshEvery(Duration.ofMillis(100)).printTo(System.out)) {
                waits.onExit().join();
            }
        }
        System.out.println("BOARD-DONE");
        System.out.flush();
        System.in.read(); // the pane stays for the test to read; the test kills it
        System.exit(0);
    }
}
