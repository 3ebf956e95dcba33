package io.github.bgtasks;

import io.github.bgtasks.internal.Durations;
import java.time.Duration;
import java.util.Optional;

/**
 * How one pipeline step ended: its task's result or its group's, or that it was
 * {@link TaskState#SKIPPED}. This class is immutable and thread-safe.
 */
public final class StepResult {
    private final String name;
    private final int number;
    private final TaskState state;
    private final boolean continueOnFailure;
    private final TaskResult task;
    private final GroupResult group;

    StepResult(String name, int number, TaskState state, boolean continueOnFailure, TaskResult task, GroupResult group) {
        this.name = name;
        this.number = number;
        this.state = state;
        this.continueOnFailure = continueOnFailure;
        this.task = task;
        this.group = group;
    }

    /** @return the step's name */
    public String name() {
        return name;
    }

    /** @return the step's position, from 1 */
    public int number() {
        return number;
    }

    /**
     * @return the task's state for a task step; for a group step, the {@linkplain GroupResult#state()
     *     group's}; {@link TaskState#SKIPPED} for a step that never started
     */
    public TaskState state() {
        return state;
    }

    /** @return whether the step succeeded */
    public boolean succeeded() {
        return state == TaskState.SUCCEEDED;
    }

    /** @return whether the step was marked {@link Pipeline#continueOnFailure()} */
    public boolean continueOnFailure() {
        return continueOnFailure;
    }

    /**
     * @return the task's result, for a task step (also a skipped one: {@link TaskState#SKIPPED},
     *     no log); empty for a group step
     */
    public Optional<TaskResult> task() {
        return Optional.ofNullable(task);
    }

    /** @return the group's result, for a group step; empty for a task step */
    public Optional<GroupResult> group() {
        return Optional.ofNullable(group);
    }

    /** @return how long the step ran; zero if it was skipped */
    public Duration duration() {
        return task != null ? task.duration() : group.duration();
    }

    /**
     * @return one line for people: for example {@code "4 unit FAILED (exit 1) in 2.1s, 0 warnings,
     *     1 error"}, or {@code "5 package SKIPPED (step 4 'unit' failed)"}; a failed step marked
     *     {@link Pipeline#continueOnFailure()} ends with {@code " (allowed to fail)"}
     */
    public String summary() {
        String allowed = continueOnFailure && !succeeded() && state != TaskState.SKIPPED ? " (allowed to fail)" : "";
        if (task != null) {
            return number + " " + task.summary() + allowed;
        }
        return number + " " + name + " " + state + (state == TaskState.SKIPPED ? "" : " in " + Durations.format(duration()))
                + " (group of " + group.results().size() + ")" + allowed;
    }

    /** @return the summary */
    @Override
    public String toString() {
        return summary();
    }
}
