package io.github.bgtasks;

import io.github.bgtasks.health.AlertListener;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A running {@link Pipeline}, from {@link BackgroundTasks#run(Pipeline)}. Closing it stops the
 * pipeline and waits for its end, so try-with-resources leaves nothing running.
 *
 * <p>Implementations are thread-safe.
 */
public interface PipelineHandle extends AutoCloseable {

    /** @return the pipeline's name */
    String name();

    /**
     * Returns the tasks of all steps in order, a group step's tasks in the order added: each
     * {@link TaskState#QUEUED} until its step starts, {@link TaskState#SKIPPED} if it never does
     * (see {@link TaskGroup#tasks()}).
     *
     * @return the tasks
     */
    List<TaskHandle> tasks();

    /**
     * Adds a listener called once for each step as it ends, skipped steps included; also for steps
     * that ended already. Listeners add up; they run on the instance's callback executor, and one
     * that throws is logged and harms nothing else.
     *
     * @param listener the listener
     * @return this handle
     */
    PipelineHandle addStepListener(Consumer<StepResult> listener);

    /**
     * Adds a listener for the pipeline's
     * {@link io.github.bgtasks.health.Alert.Kind#STEP_FAILED} alert (the instance's alert
     * listeners hear it too). The failing task's own alerts go to the instance's listeners and the
     * task handle's.
     *
     * @param listener the listener
     * @return this handle
     */
    PipelineHandle addAlertListener(AlertListener listener);

    /**
     * Returns a future completed with the result once the last step has ended or been skipped,
     * after the step listeners. Each call returns a new copy.
     *
     * @return the result future
     */
    CompletableFuture<PipelineResult> onExit();

    /**
     * Stops the pipeline: the running step is stopped as {@link TaskGroup#stop()} does, and the
     * later steps are {@link TaskState#SKIPPED}. Does not wait; calling it again changes nothing.
     *
     * @return the result future
     */
    CompletableFuture<PipelineResult> stop();

    /** Stops the pipeline (as {@link #stop()}) and waits until it has ended. */
    @Override
    void close();
}
