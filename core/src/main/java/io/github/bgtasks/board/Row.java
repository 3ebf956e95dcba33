package io.github.bgtasks.board;

import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.health.Health;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What the board shows of one task, read once per frame, so that one frame is one consistent
 * picture and rendering never touches a task (snapshot tests build rows directly).
 */
record Row(String id, String name, TaskState state, OptionalInt exitCode, OptionalInt signal, Duration runtime,
        Health.State health, String lastLine) {

    Row {
        Objects.requireNonNull(name);
        Objects.requireNonNull(state);
        lastLine = lastLine == null ? "" : lastLine;
    }

    /** Reads a task; a task that cannot be read (its log just removed) shows without its last line. */
    static Row of(TaskHandle t) {
        TaskState state = t.state();
        OptionalInt exit = OptionalInt.empty();
        OptionalInt signal = OptionalInt.empty();
        if (state.isTerminal()) {
            TaskResult r = t.onExit().getNow(null);
            if (r != null) {
                exit = r.exitCode();
                signal = r.signal();
            }
        }
        String last;
        try {
            List<String> tail = state == TaskState.QUEUED || state == TaskState.SKIPPED ? List.of() : t.tail(1);
            last = tail.isEmpty() ? "" : tail.get(0);
        } catch (RuntimeException e) {
            last = "";
        }
        Health.State health;
        try {
            health = t.health().state();
        } catch (RuntimeException e) {
            health = Health.State.UNKNOWN;
        }
        Duration runtime = state == TaskState.QUEUED || state == TaskState.SKIPPED ? null : t.runtime();
        return new Row(t.id(), t.name(), state, exit, signal, runtime, health, last);
    }

    /** What a plain (not a terminal) board prints a line for when it changes. */
    String status() {
        return state + " " + health;
    }
}
