package io.github.bgtasks;

/**
 * Told once when a task ends. Each registration is called exactly once, also when it is added
 * after the task has ended. Listeners run on the instance's callback executor, never while the
 * library holds a lock and never on a backend's own thread, so a listener may start tasks; one
 * that throws is logged at WARN with the task's name and harms nothing else.
 */
@FunctionalInterface
public interface CompletionListener {

    /**
     * Called when the task has ended.
     *
     * @param result how it ended
     */
    void onComplete(TaskResult result);
}
