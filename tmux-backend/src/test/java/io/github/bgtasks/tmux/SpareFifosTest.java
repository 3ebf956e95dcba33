package io.github.bgtasks.tmux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Go FIFOs are made in batches ahead of the starts, and nothing of them outlives the backend. */
class SpareFifosTest {
    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();

    @Test
    void sparesWaitOutsideTheTaskDirectoriesAndGoWithTheBackend() throws Exception {
        Path fifos = SERVER.stateDir().resolve("fifos");
        SERVER.backend().close(); // makes the private state directory
        Path leftover = Files.createDirectories(fifos.resolve("an-instance-that-died"));
        Files.createFile(leftover.resolve("0"));
        try (BackgroundTasks tasks = BackgroundTasks.builder().backend(SERVER.backend()).logDirectory(SERVER.logDir())
                .build()) {
            for (int i = 0; i < 3; i++) {
                assertEquals(TaskState.SUCCEEDED, tasks.start(TaskSpec.builder("true").name("fifo-" + i).build())
                        .onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS).state());
            }
            assertFalse(Files.exists(leftover), "what a dead instance left is removed");
            List<Path> mine = list(fifos);
            assertEquals(1, mine.size(), mine.toString());
            // One mkfifo run made a batch; three of it went to the tasks.
            assertEquals(13, list(mine.get(0)).size());
            assertTrue(list(mine.get(0)).stream().allMatch(p -> !Files.isRegularFile(p) && Files.exists(p)));
        }
        assertEquals(List.of(), list(fifos));
    }

    private static List<Path> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
