package io.github.bgtasks.tmux;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a running task holds in its pane: with Perl, the wrapper and the command, nothing between. */
class ProcessesTest {
    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();

    @Test
    void aRunningTaskIsItsWrapperAndItsCommandOnly() throws Exception {
        BackgroundTasks tasks = SERVER.tasks();
        String marker = Fixtures.marker();
        TaskHandle t = tasks.start(TaskSpec.builder("sleep", marker).name("two-processes").build());
        try {
            ProcessHandle command = await().atMost(Fixtures.PATIENCE).until(() -> Fixtures.withMarker(marker).stream()
                    .filter(h -> h.info().command().map(c -> c.endsWith("/sleep")).orElse(false)).findFirst(),
                    java.util.Optional::isPresent).orElseThrow();
            ProcessHandle wrapper = ProcessHandle.of(t.pid().orElseThrow()).orElseThrow();
            // The shell wrapper held a Perl reaper between itself and the command: three processes.
            assertEquals(wrapper, command.parent().orElseThrow(), "the command is the wrapper's own child");
            assertEquals(List.of(command), wrapper.children().toList());
        } finally {
            assertEquals(TaskState.STOPPED, Fixtures.await(t.kill()).state());
        }
    }
}
