package io.github.bgtasks.spi;

import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One task as a backend sees it: a running (or finished) process tree with a log file.
 *
 * <p>Implementations are thread-safe. Signalling a task that has already ended is a no-op,
 * never an error, and never reaches a process that merely reuses the task's process id.
 */
public interface BackendTask {

    /**
     * Returns what was launched. For a task found by {@link Backend#discover()}, this is what
     * the earlier JVM launched, read back from the backend; its environment may be empty, as
     * backends need not keep it (it can hold secrets).
     *
     * @return the launch
     */
    Launch launch();

    /**
     * Returns the process id of the root of the task's process tree (the program itself, or a
     * wrapper that runs it), if known.
     *
     * @return the process id, or empty
     */
    OptionalLong pid();

    /**
     * Returns a future that completes exactly once, when the task's own process has exited and
     * its output is in the log file. It never completes exceptionally: a task whose end cannot
     * be observed completes with {@link ExitStatus#lost(String)}. Dependent stages may run on
     * the backend's thread, so the core only uses it to hand over to its own executor.
     *
     * @return the exit future
     */
    CompletableFuture<ExitStatus> exit();

    /**
     * Has {@code action} called once with the status that {@link #exit()} completes with, as
     * soon as the end is known: possibly on the backend's own thread, and before the future's
     * dependent stages run. The action must return at once (the core's only hands the end over
     * to its own executor). A backend that completes {@code exit()} on a thread of its own
     * (so that no dependent stage can block its reader) overrides this to spare the core that
     * extra thread hand-off per task (issue 8). The default depends on {@code exit()}.
     *
     * @param action called once with the exit status; a failure it throws is only logged
     */
    default void whenEnded(Consumer<ExitStatus> action) {
        exit().whenComplete((status, error) -> action.accept(error == null ? status
                : ExitStatus.lost("the backend failed while watching the task: " + error)));
    }

    /**
     * Asks the whole process tree to stop: SIGTERM (followed by SIGCONT, so that stopped
     * processes can act on it) to every process of the task, children and grandchildren too.
     *
     * @throws IOException if the signal could not be sent
     */
    void terminate() throws IOException;

    /**
     * Ends the whole process tree at once with SIGKILL.
     *
     * @throws IOException if the signal could not be sent
     */
    void kill() throws IOException;

    /**
     * Writes bytes to the task's standard input, exactly as given.
     *
     * @param bytes the bytes to write
     * @throws IOException if the task has ended, its input is closed, or the write failed
     */
    void send(byte[] bytes) throws IOException;

    /**
     * Closes the task's standard input, so that a task reading it sees end of file.
     *
     * @throws IOException if it could not be closed
     */
    void closeInput() throws IOException;

    /**
     * Returns the command a person types to watch the task live, if the backend has one: a
     * general capability ({@code tmux attach -t ...}, {@code ssh -t host ...},
     * {@code kubectl attach ...}), shown to users as it is.
     *
     * @return the attach command, or empty
     */
    default Optional<String> attachCommand() {
        return Optional.empty();
    }

    /**
     * Forgets a finished task: the backend drops what it kept about it (not the log file).
     * Called once, after the task has ended.
     */
    default void release() {
    }
}
