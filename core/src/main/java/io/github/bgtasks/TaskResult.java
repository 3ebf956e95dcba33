package io.github.bgtasks;

import io.github.bgtasks.internal.Durations;
import io.github.bgtasks.internal.posix.Signals;

import io.github.bgtasks.spi.ExitStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a task ended: its state, exit code or signal, time taken, and the warnings and errors
 * picked out of its output.
 *
 * <p>The warning and error figures are read from the log file the first time one of them (or
 * {@link #summary()}) is asked for, so reporting an exit never waits for a large log to be
 * scanned. This class is immutable and thread-safe.
 */
public final class TaskResult {
    private final String id;
    private final String name;
    private final TaskState state;
    private final ExitStatus exit;
    private final Instant startedAt;
    private final Duration duration;
    private final Path logFile;
    private final Duration timeout;
    private final String logProblem;
    private final LogScan scan;
    private final HintSource hints;
    private volatile LogScan.Digest digest;
    private volatile Optional<String> hint;

    /** Explains a result with the instance's {@link io.github.bgtasks.health.Hints}; see {@link #hint()}. */
    @FunctionalInterface
    interface HintSource {
        Optional<String> explain(TaskResult result);

        HintSource NONE = r -> Optional.empty();
    }

    TaskResult(String id, String name, TaskState state, ExitStatus exit, Instant startedAt,
            Duration duration, Path logFile, Duration timeout, String logProblem, LogScan scan) {
        this(id, name, state, exit, startedAt, duration, logFile, timeout, logProblem, scan, HintSource.NONE);
    }

    TaskResult(String id, String name, TaskState state, ExitStatus exit, Instant startedAt,
            Duration duration, Path logFile, Duration timeout, String logProblem, LogScan scan, HintSource hints) {
        this.hints = hints;
        this.id = id;
        this.name = name;
        this.state = state;
        this.exit = exit;
        this.startedAt = startedAt;
        this.duration = duration;
        this.logFile = logFile;
        this.timeout = timeout;
        this.logProblem = logProblem;
        this.scan = scan;
    }

    /**
     * The result of a group's or pipeline's task that never ran: {@link TaskState#SKIPPED}, or
     * {@link TaskState#FAILED} when its start failed. It has no log; the reason shows in
     * {@link #summary()} and {@link #lostReason()}.
     */
    static TaskResult notRun(String id, String name, TaskState state, String reason, Instant at) {
        return new TaskResult(id, name, state, ExitStatus.lost(reason), at, Duration.ZERO, null, null, null, null);
    }

    /** @return the task's name */
    public String name() {
        return name;
    }

    /** @return the unique id of this run, such as {@code build-main.3} */
    public String id() {
        return id;
    }

    /** @return the terminal state */
    public TaskState state() {
        return state;
    }

    /** @return the exit code; empty when a signal ended the task or it was lost */
    public OptionalInt exitCode() {
        return exit.exitCode();
    }

    /** @return the signal that ended the task (for example 15 or 9), if one did */
    public OptionalInt signal() {
        return exit.signal();
    }

    /**
     * @return why the task was lost from sight, when its state is {@link TaskState#LOST}; for a
     *     task of a group or pipeline that never ran, why it did not (skipped, or its start failed)
     */
    public Optional<String> lostReason() {
        return exit.lostReason();
    }

    /** @return when the task started */
    public Instant startedAt() {
        return startedAt;
    }

    /** @return how long the task ran */
    public Duration duration() {
        return duration;
    }

    /**
     * @return the log file holding the task's whole output; null for a task of a group or
     *     pipeline that never started ({@link TaskState#SKIPPED}, or one that could not start)
     */
    public Path logFile() {
        return logFile;
    }

    /**
     * Tells what went wrong with the log itself, if something did: for example that its file
     * system was full (or nearly) when the task ended, so the log may lack output and the
     * task's own writes may have failed, whatever its exit code says. The same text is
     * appended to the log when there is room, and logged at WARN.
     *
     * @return the problem, for people, or empty if the log is as complete as the task wrote it
     */
    public Optional<String> logProblem() {
        return Optional.ofNullable(logProblem);
    }

    /** @return the number of output lines that match the warning pattern */
    public int warningCount() {
        return digest().warnings();
    }

    /** @return the number of output lines that match the error pattern */
    public int errorCount() {
        return digest().errors();
    }

    /** @return the first error lines of the output (at most ten), in order */
    public List<String> errorLines() {
        return digest().firstErrors();
    }

    /**
     * Suggests a fix for a task that did not succeed, when the instance's
     * {@link io.github.bgtasks.health.Hints} recognise the cause: for example "exit 127: command
     * not found: 'npx' ... is not on the PATH searched (/usr/bin:/bin)". Read from the end of the
     * log the first time it is asked for.
     *
     * @return one line, or empty (always for a succeeded or stopped task)
     */
    public Optional<String> hint() {
        Optional<String> h = hint;
        if (h == null) {
            h = state == TaskState.SUCCEEDED || state == TaskState.STOPPED ? Optional.empty() : hints.explain(this);
            hint = h;
        }
        return h;
    }

    /** @return the last lines of the log, for hints */
    List<String> lastLines(int n) {
        if (logFile == null) {
            return List.of();
        }
        try {
            return scan.lastLines(logFile, n);
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** @return whether the task succeeded */
    public boolean succeeded() {
        return state == TaskState.SUCCEEDED;
    }

    /**
     * Returns one line for people, for example
     * {@code "build-main FAILED (exit 2) in 1m 03s, 3 warnings, 1 error"}, followed by the
     * {@linkplain #logProblem() log's problem} if there is one.
     *
     * @return the summary
     */
    public String summary() {
        StringBuilder s = new StringBuilder(name).append(' ').append(state);
        if (logFile == null) {
            return s.append(" (").append(exit.lostReason().orElse("never started")).append(')').toString();
        }
        if (exit.lostReason().isPresent()) {
            s.append(" (").append(exit.lostReason().get()).append(')');
        } else if (exit.signal().isPresent()) {
            s.append(" (signal ").append(Signals.describe(exit.signal().getAsInt())).append(')');
        } else {
            s.append(" (exit ").append(exit.exitCode().getAsInt()).append(')');
        }
        s.append(state == TaskState.TIMED_OUT ? " after " : " in ").append(Durations.format(duration));
        if (state == TaskState.TIMED_OUT && timeout != null) {
            s.append(" (limit ").append(Durations.format(timeout)).append(')');
        }
        LogScan.Digest d = digest();
        s.append(", ").append(plural(d.warnings(), "warning")).append(", ").append(plural(d.errors(), "error"));
        if (logProblem != null) {
            s.append("; ").append(logProblem);
        }
        return s.toString();
    }

    private static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    private LogScan.Digest digest() {
        LogScan.Digest d = digest;
        if (d == null && logFile == null) {
            d = new LogScan.Digest(0, 0, List.of());
            digest = d;
        }
        if (d == null) {
            synchronized (this) {
                d = digest;
                if (d == null) {
                    d = scan.scan(logFile);
                    digest = d;
                }
            }
        }
        return d;
    }

    /** @return the summary */
    @Override
    public String toString() {
        return summary();
    }
}
