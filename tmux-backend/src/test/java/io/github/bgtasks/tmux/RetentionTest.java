package io.github.bgtasks.tmux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.Retention;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Retention on tmux: a removed task's state directory goes with its log; a running task keeps both. */
class RetentionTest {
    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();

    @Test
    void removedTasksLeaveNoStateBehind() throws Exception {
        String channel = "ret-" + UUID.randomUUID();
        Path logs = SERVER.logDir().resolve("retention");
        BackgroundTasks tasks = BackgroundTasks.builder().backend(SERVER.backend()).logDirectory(logs)
                .retention(Retention.builder().maxCount(1).build()).build();
        SERVER.opened.add(tasks);
        TaskHandle waits = tasks.start(TaskSpec.builder("sh", "-c", "tmux -L \"$1\" wait-for \"$2\"", "sh", SERVER.socket,
                channel).name("waits").build());
        for (String name : List.of("a", "b")) {
            TaskResult r = Fixtures.await(tasks.start(TaskSpec.builder("sh", "-c", "echo " + name).name(name).build()).onExit());
            assertEquals(TaskState.SUCCEEDED, r.state(), r.summary());
        }
        assertEquals(Set.of("waits.1.log", "b.1.log"), names(logs));
        assertEquals(Set.of("waits.1", "b.1"), names(SERVER.stateDir().resolve("tasks")), "a's tmux state went with it");

        assertEquals(List.of(), tasks.clean(), "b is the one finished task the retention keeps");
        SERVER.tmux("wait-for", "-S", channel);
        Fixtures.await(waits.onExit()); // now waits is the newest finished task: b goes
        assertEquals(Set.of("waits.1.log"), names(logs));
        assertEquals(Set.of("waits.1"), names(SERVER.stateDir().resolve("tasks")));
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
