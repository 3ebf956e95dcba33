package io.github.bgtasks;

import io.github.bgtasks.health.Hint;
import io.github.bgtasks.health.Hints;
import io.github.bgtasks.internal.health.Target;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * A task as the health engine sees it, and the facts that {@link Hints} get about a task. This
 * class is immutable and thread-safe.
 */
final class TaskTarget implements Target {
    /** How many of the last lines hints look at. */
    static final int HINT_LINES = 200;

    private final Task task;
    private final TaskContext ctx;

    TaskTarget(Task task, TaskContext ctx) {
        this.task = task;
        this.ctx = ctx;
    }

    /** @return the task, for the engine (probes see only this view) */
    TaskHandle task() {
        return task;
    }

    @Override
    public OptionalLong pid() {
        return task.pid();
    }

    @Override
    public Duration runtime() {
        return task.runtime();
    }

    @Override
    public boolean stopping() {
        return task.state() == TaskState.STOPPING;
    }

    @Override
    public Optional<String> ended() {
        TaskState s = task.state();
        if (!s.isTerminal()) {
            return Optional.empty();
        }
        TaskResult r = task.onExit().getNow(null); // completes only after the state turns terminal
        return Optional.of(r != null ? r.summary() : s.toString());
    }

    @Override
    public SeekableByteChannel openLog() throws IOException {
        return ctx.logs().read(task.logFile());
    }

    @Override
    public Pattern errorPattern() {
        return ctx.logScan().errorPattern();
    }

    @Override
    public long nanoTime() {
        return ctx.ticker().read();
    }

    @Override
    public Optional<String> hint(List<String> lines) {
        TaskResult r = task.onExit().getNow(null);
        if (r != null) {
            return r.hint();
        }
        return ctx.hints().explain(facts(task.backendTask().launch(), null, lines));
    }

    /** Explains a result: the facts of its end and the last lines of its log. */
    static Optional<String> explain(Hints hints, Launch launch, TaskResult r) {
        return hints.explain(facts(launch, r, r.lastLines(HINT_LINES)));
    }

    private static Hint.Facts facts(Launch launch, TaskResult r, List<String> lines) {
        boolean ours = r != null && (r.state() == TaskState.STOPPED || r.state() == TaskState.TIMED_OUT);
        return new Hint.Facts(launch.argv().get(0), launch.environment().getOrDefault("PATH", ""),
                r != null ? r.exitCode() : OptionalInt.empty(), r != null ? r.signal() : OptionalInt.empty(), ours, lines);
    }
}
