package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskState;
import org.junit.jupiter.api.Test;

/** The zero-configuration entry point finds the process backend through the service loader. */
class SharedInstanceTest {
    @Test
    void startsANamedTaskOnTheSharedInstance() {
        String name = "shared-" + ProcessHandle.current().pid();
        TaskHandle h = BackgroundTasks.start(name, "sh", "-c", "echo from the shared instance");
        assertEquals(TaskState.SUCCEEDED, h.onExit().join().state());
        assertEquals("from the shared instance", h.tail(1).get(0));
        assertSame(BackgroundTasks.shared(), BackgroundTasks.shared());
        assertTrue(BackgroundTasks.shared().list().contains(h));
        assertTrue(BackgroundTasks.shared().toString().startsWith("BackgroundTasks{process backend"));
    }
}
