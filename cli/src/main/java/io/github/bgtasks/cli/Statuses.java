package io.github.bgtasks.cli;

import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskState;
import java.time.Duration;

/** How results and times are shown and turned into exit statuses. */
final class Statuses {
    /** The exit status of a task that timed out, as timeout(1) has it. */
    static final int TIMED_OUT = 124;

    private Statuses() {
    }

    /** @return the shell's view of the task's end: its code, 128+N for signal N, 124 for a timeout, 1 if lost */
    static int exitStatus(TaskResult r) {
        if (r.state() == TaskState.SUCCEEDED) {
            return 0;
        }
        if (r.state() == TaskState.TIMED_OUT) {
            return TIMED_OUT;
        }
        if (r.exitCode().isPresent()) {
            return r.exitCode().getAsInt();
        }
        return r.signal().isPresent() ? 128 + r.signal().getAsInt() : Main.FAILURE;
    }

    /** @return a short duration: {@code 850ms}, {@code 12s}, {@code 3m05s}, {@code 2h07m}, {@code 3d04h} */
    static String duration(Duration d) {
        long s = d.toSeconds();
        if (s < 1) {
            return d.toMillis() + "ms";
        }
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        if (s < 86400) {
            return String.format("%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return String.format("%dd%02dh", s / 86400, s % 86400 / 3600);
    }
}
