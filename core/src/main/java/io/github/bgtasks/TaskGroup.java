package io.github.bgtasks;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A started {@linkplain GroupSpec group}: its tasks, each result as it comes, and one combined
 * {@link GroupResult}. Closing it stops the group and waits for its end, so try-with-resources
 * leaves nothing running.
 *
 * <p>Implementations are thread-safe.
 */
public interface TaskGroup extends AutoCloseable {

    /** @return the group's name */
    String name();

    /**
     * Returns the group's tasks in the order added. Each handle stays the same for the task's
     * whole life: {@link TaskState#QUEUED} with no pid and no log while it waits, then the
     * running task's view, or {@link TaskState#SKIPPED} if it never starts. (While a task runs,
     * {@link BackgroundTasks#list()} shows the running task itself, with the same id.)
     *
     * @return the tasks
     */
    List<TaskHandle> tasks();

    /**
     * Adds a listener called once for each task of the group as it ends, skipped ones included;
     * also for those that ended already. Listeners add up.
     *
     * @param listener the listener
     * @return this group
     */
    TaskGroup addListener(CompletionListener listener);

    /**
     * Returns a future completed with the combined result once every task has ended and its
     * listeners have been called. Each call returns a new copy.
     *
     * @return the result future
     */
    CompletableFuture<GroupResult> onExit();

    /**
     * Stops the group: queued tasks are {@link TaskState#SKIPPED} (none starts any more) and
     * running ones are stopped as {@link TaskHandle#stop()} does. Does not wait; calling it again
     * changes nothing.
     *
     * @return the result future
     */
    CompletableFuture<GroupResult> stop();

    /** Stops the group (as {@link #stop()}) and waits until it has ended. */
    @Override
    void close();
}
