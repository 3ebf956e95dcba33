package io.github.bgtasks;

import io.github.bgtasks.health.AlertListener;
import io.github.bgtasks.health.Health;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * A started task: watch it, talk to it, stop it. {@link #state()} and {@link #runtime()} are
 * live while it runs. Closing a handle stops the task and waits for its end, so
 * try-with-resources leaves nothing running.
 *
 * <p>Implementations are thread-safe.
 */
public interface TaskHandle extends AutoCloseable {

    /** @return the unique id of this run, such as {@code build-main.3} */
    String id();

    /** @return the task's name, such as {@code build-main} */
    String name();

    /** @return the program and its arguments */
    List<String> command();

    /** @return the current state */
    TaskState state();

    /** @return when the task started */
    Instant startedAt();

    /** @return how long the task has run so far, or ran in all once it has ended */
    Duration runtime();

    /**
     * @return the process id of the root of the task's process tree (on tmux, the wrapper that
     *     runs the program), if the backend knows it
     */
    OptionalLong pid();

    /**
     * Returns a future completed with the result once the task has ended, after the listeners
     * added before the end have been called. Each call returns a new copy, so completing or
     * cancelling it affects nobody else. Stages added before the end run on the instance's
     * callback executor unless you choose another.
     *
     * @return the result future
     */
    CompletableFuture<TaskResult> onExit();

    /**
     * Adds a listener, called exactly once with the result, also when the task has already
     * ended. Listeners add up; none replaces another.
     *
     * @param listener the listener
     * @return this handle
     */
    TaskHandle addListener(CompletionListener listener);

    /**
     * Returns the last lines of the task's output, read from its log file.
     *
     * @param lines how many lines, at least 0
     * @return up to that many lines, oldest first, without line ends
     */
    List<String> tail(int lines);

    /**
     * Returns the log file: every byte the task wrote to standard output and standard error,
     * in order of arrival, kept after the task ends. Readable by the owner only.
     *
     * @return the log file
     */
    Path logFile();

    /**
     * Writes a line (the text and a newline) to the task's standard input. With a backend
     * that runs tasks on a terminal (tmux), the line is typed: the terminal echoes it into the
     * log, cuts lines at 4095 bytes and acts on control characters (^C interrupts).
     *
     * @param line the text, without a line end
     * @throws IllegalStateException if the task has ended or its input was closed
     * @throws java.io.UncheckedIOException if the write failed
     */
    void send(String line);

    /**
     * Closes the task's standard input, so that a task reading it sees end of file. On a
     * terminal (tmux) this types ^D, which a reading program sees as end of file.
     *
     * @throws java.io.UncheckedIOException if it could not be closed
     */
    void closeInput();

    /**
     * Stops the whole process tree gracefully: SIGTERM to every process of the task, then
     * SIGKILL to whatever is left after the stop grace period (10 s unless configured). Does
     * not wait; the returned future completes when the task has ended. Calling it again, or
     * on an ended task, changes nothing.
     *
     * @return the result future
     */
    CompletableFuture<TaskResult> stop();

    /**
     * Ends the whole process tree at once with SIGKILL, without a grace period.
     *
     * @return the result future
     */
    CompletableFuture<TaskResult> kill();

    /**
     * Returns a future completed with this handle once the task is ready by its spec's
     * {@link io.github.bgtasks.health.Readiness}; at once for a task without one. It fails with a
     * {@link io.github.bgtasks.health.NotReadyException}, naming what was still waited for and
     * holding the task's last lines, as soon as the task ends first or the deadline passes. Each
     * call returns a new copy.
     *
     * @return the readiness future
     */
    CompletableFuture<TaskHandle> onReady();

    /**
     * Returns the task's health as its {@linkplain TaskSpec.Builder#healthCheck checks} last saw
     * it: {@link Health.State#UNKNOWN} for a task without checks.
     *
     * @return the health, with each check's last result and evidence
     */
    Health health();

    /**
     * Adds a listener for this task's {@link io.github.bgtasks.health.Alert alerts}: its checks
     * turning unhealthy or healthy again, and its failure. Listeners add up; they run on the
     * callback executor, and one that throws harms nothing else.
     *
     * @param listener the listener
     * @return this handle
     */
    TaskHandle addAlertListener(AlertListener listener);

    /**
     * Returns the exact command a person types to watch the task live (tmux backend), if the
     * backend has one.
     *
     * @return the attach command, or empty
     */
    Optional<String> attachCommand();

    /**
     * Stops the task (as {@link #stop()}) and waits until it has ended.
     */
    @Override
    void close();
}
