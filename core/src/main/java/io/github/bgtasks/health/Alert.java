package io.github.bgtasks.health;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Something a person should know about a task: a check turned unhealthy, it recovered, or the
 * task failed. Raised once per transition, never once per check run.
 *
 * <p>This record is immutable and thread-safe.
 *
 * @param kind what happened
 * @param taskId the run's id, such as {@code web.1}
 * @param check the check's name ({@code "exit"} for a failed task without an alive check; the
 *     pipeline's name for {@link Kind#STEP_FAILED})
 * @param message one line for people
 * @param evidence what the check saw: log lines with their numbers, figures, an exception
 * @param logLines the relevant lines of the task's log: its error lines with a little context
 *     around each, or its last lines when none matches the error pattern
 * @param hint a likely cause and fix, when a {@link Hint} recognised one
 */
public record Alert(Kind kind, String taskId, String check, String message, List<String> evidence,
        List<String> logLines, Optional<String> hint) {

    /** What an alert is about. */
    public enum Kind {
        /** A check failed as often in a row as its failure threshold. */
        UNHEALTHY,
        /** An unhealthy check succeeded as often in a row as its success threshold. */
        RECOVERED,
        /** The task ended as failed, timed out or lost (not when it was stopped). */
        FAILED,
        /**
         * The task's {@link RestartPolicy} allowed no more restarts (or a restart could not start):
         * raised once, after its last run's end, with that run's evidence and hint.
         */
        GAVE_UP,
        /**
         * A pipeline step failed and so ended its pipeline: the later steps are skipped. Raised
         * once per pipeline, besides the failing task's own {@link #FAILED} alert. {@code taskId}
         * is the failing task's run id and {@code check} the pipeline's name; the message names
         * the step and its position, the exit, the skipped steps and the log file; the evidence
         * holds the step, the exit and the log file, then the task's first error lines.
         */
        STEP_FAILED
    }

    /** Copies the lists; rejects nulls. */
    public Alert {
        Objects.requireNonNull(kind, "kind must not be null");
        Objects.requireNonNull(taskId, "taskId must not be null");
        Objects.requireNonNull(check, "check must not be null");
        Objects.requireNonNull(message, "message must not be null");
        evidence = List.copyOf(evidence);
        logLines = List.copyOf(logLines);
        Objects.requireNonNull(hint, "hint must not be null (use Optional.empty())");
    }

    @Override
    public String toString() {
        return kind + " " + taskId + " [" + check + "] " + message + hint.map(h -> " (hint: " + h + ")").orElse("")
                + (evidence.isEmpty() ? "" : " evidence " + evidence);
    }
}
