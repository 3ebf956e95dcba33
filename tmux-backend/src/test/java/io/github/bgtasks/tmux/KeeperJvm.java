package io.github.bgtasks.tmux;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The JVM of {@link KeeperTest} that is killed: starts a task that blocks on a tmux channel,
 * waits until its backend's keeper is up, prints {@code READY <keeper client pid> <keeper session>}
 * and waits to be killed.
 */
public final class KeeperJvm {
    private KeeperJvm() {
    }

    /**
     * Starts the task.
     *
     * @param args socket name, state directory, log directory, tmux channel
     * @throws Exception if anything fails
     */
    public static void main(String[] args) throws Exception {
        TmuxBackend backend = TmuxBackend.builder().socketName(args[0]).stateDirectory(Path.of(args[1])).build();
        BackgroundTasks tasks = BackgroundTasks.builder().backend(backend).logDirectory(Path.of(args[2])).build();
        TaskHandle t = tasks.start(TaskSpec.builder("sh", "-c", "echo waiting; tmux -L \"$1\" wait-for \"$2\"", "sh",
                args[0], args[3]).name("outlives-its-jvm").build());
        // Running for sure (it has read its go), so that killing this JVM cannot stop it from starting.
        org.awaitility.Awaitility.await().atMost(Fixtures.PATIENCE).until(() -> t.tail(1).equals(List.of("waiting")));
        Map.Entry<ProcessHandle, String> keeper = org.awaitility.Awaitility.await().atMost(Fixtures.PATIENCE)
                .until(() -> backend.tmux().keeperClient(), o -> o.isPresent()).orElseThrow();
        System.out.println("READY " + keeper.getKey().pid() + " " + keeper.getValue());
        System.out.flush();
        System.in.read(); // until killed
    }
}
