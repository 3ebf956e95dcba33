package io.github.bgtasks;

import io.github.bgtasks.internal.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How a pipeline ended: each step's result in order, the step that ended it if one did, and
 * the total time. This class is immutable and thread-safe.
 */
public final class PipelineResult {
    private final String name;
    private final List<StepResult> steps;
    private final Duration duration;
    private final boolean stopped;

    PipelineResult(String name, List<StepResult> steps, Duration duration, boolean stopped) {
        this.name = name;
        this.steps = List.copyOf(steps);
        this.duration = duration;
        this.stopped = stopped;
    }

    /** @return the pipeline's name */
    public String name() {
        return name;
    }

    /** @return each step's result, in order; steps that never started are {@link TaskState#SKIPPED} */
    public List<StepResult> steps() {
        return steps;
    }

    /**
     * @return the first step that failed without {@link Pipeline#continueOnFailure()}, which ended
     *     the pipeline; empty if none did
     */
    public Optional<StepResult> failedStep() {
        return steps.stream().filter(s -> !s.succeeded() && !s.continueOnFailure()
                && s.state() != TaskState.SKIPPED && s.state() != TaskState.STOPPED).findFirst();
    }

    /** @return whether every step succeeded or was allowed to fail, and nobody stopped the pipeline */
    public boolean succeeded() {
        return state() == TaskState.SUCCEEDED;
    }

    /**
     * @return {@link TaskState#SUCCEEDED}, {@link TaskState#FAILED} if a step ended it, or
     *     {@link TaskState#STOPPED} if it was stopped
     */
    public TaskState state() {
        return failedStep().isPresent() ? TaskState.FAILED : stopped ? TaskState.STOPPED : TaskState.SUCCEEDED;
    }

    /** @return the time from the pipeline's start to its end */
    public Duration duration() {
        return duration;
    }

    /**
     * Returns a line for people, then each step's {@linkplain StepResult#summary() summary} on a
     * line of its own, for example:
     * <pre>
     * deploy FAILED at step 4 (unit) in 12s
     *   1 install SUCCEEDED (exit 0) in 3.2s, 0 warnings, 0 errors
     *   ...
     * </pre>
     *
     * @return the summary
     */
    public String summary() {
        StringBuilder s = new StringBuilder(name).append(' ').append(state());
        failedStep().ifPresent(f -> s.append(" at step ").append(f.number()).append(" (").append(f.name()).append(')'));
        s.append(" in ").append(Durations.format(duration));
        for (StepResult r : steps) {
            s.append("\n  ").append(r.summary());
        }
        return s.toString();
    }

    /** @return the summary */
    @Override
    public String toString() {
        return summary();
    }
}
