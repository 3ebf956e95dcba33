package io.github.bgtasks;

import io.github.bgtasks.internal.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a group ended: each task's result, in the order the tasks were added, and the time from
 * the group's start to its last task's end. This class is immutable and thread-safe.
 */
public final class GroupResult {
    private final String name;
    private final List<TaskResult> results;
    private final Duration duration;
    private final boolean stopped;

    GroupResult(String name, List<TaskResult> results, Duration duration, boolean stopped) {
        this.name = name;
        this.results = List.copyOf(results);
        this.duration = duration;
        this.stopped = stopped;
    }

    /** @return the group's name */
    public String name() {
        return name;
    }

    /** @return each task's result, in the order the tasks were added (skipped ones as {@link TaskState#SKIPPED}) */
    public List<TaskResult> results() {
        return results;
    }

    /** @return whether every task succeeded */
    public boolean succeeded() {
        return results.stream().allMatch(TaskResult::succeeded);
    }

    /**
     * @return {@link TaskState#SUCCEEDED} if every task succeeded; {@link TaskState#STOPPED} if
     *     the group was stopped, or no task failed but some were stopped or skipped; else
     *     {@link TaskState#FAILED} (a task failed, timed out, was lost or could not start)
     */
    public TaskState state() {
        if (succeeded()) {
            return TaskState.SUCCEEDED;
        }
        boolean failure = results.stream().anyMatch(r -> r.state() == TaskState.FAILED
                || r.state() == TaskState.TIMED_OUT || r.state() == TaskState.LOST);
        return stopped || !failure ? TaskState.STOPPED : TaskState.FAILED;
    }

    /** @return the time from the group's start to its last task's end */
    public Duration duration() {
        return duration;
    }

    /**
     * Returns a line for people, then each task's {@linkplain TaskResult#summary() summary} on a
     * line of its own, for example:
     * <pre>
     * checks FAILED in 1m 03s: 2 SUCCEEDED, 1 FAILED, 1 SKIPPED
     *   node18-tests SUCCEEDED (exit 0) in 58s, 0 warnings, 0 errors
     *   ...
     * </pre>
     *
     * @return the summary
     */
    public String summary() {
        Map<TaskState, Integer> counts = new TreeMap<>();
        results.forEach(r -> counts.merge(r.state(), 1, Integer::sum));
        StringBuilder s = new StringBuilder(name).append(' ').append(state()).append(" in ")
                .append(Durations.format(duration)).append(':');
        String sep = " ";
        for (Map.Entry<TaskState, Integer> e : counts.entrySet()) {
            s.append(sep).append(e.getValue()).append(' ').append(e.getKey());
            sep = ", ";
        }
        for (TaskResult r : results) {
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
