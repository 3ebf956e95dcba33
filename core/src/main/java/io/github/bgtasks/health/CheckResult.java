package io.github.bgtasks.health;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of one run of a check: a state, a message for people and the evidence behind it
 * (log lines with their numbers, measured figures, an exception).
 *
 * <p>This record is immutable and thread-safe.
 *
 * @param state {@link Health.State#HEALTHY}, {@link Health.State#UNHEALTHY}, or
 *     {@link Health.State#UNKNOWN} when the check could not tell (no process id, no {@code /proc})
 * @param message one line for people
 * @param evidence what the check saw, one item a line
 */
public record CheckResult(Health.State state, String message, List<String> evidence) {

    /** Copies the evidence; rejects nulls. */
    public CheckResult {
        Objects.requireNonNull(state, "state must not be null");
        Objects.requireNonNull(message, "message must not be null");
        evidence = List.copyOf(evidence);
    }

    /**
     * @param message what was seen
     * @param evidence the figures or lines behind it
     * @return a healthy result
     */
    public static CheckResult healthy(String message, String... evidence) {
        return new CheckResult(Health.State.HEALTHY, message, List.of(evidence));
    }

    /**
     * @param message what is wrong
     * @param evidence the figures or lines behind it
     * @return an unhealthy result
     */
    public static CheckResult unhealthy(String message, String... evidence) {
        return new CheckResult(Health.State.UNHEALTHY, message, List.of(evidence));
    }

    /**
     * @param message why the check cannot tell
     * @return a result that is neither healthy nor unhealthy
     */
    public static CheckResult unknown(String message) {
        return new CheckResult(Health.State.UNKNOWN, message, List.of());
    }

    /** @return whether the state is {@link Health.State#HEALTHY} */
    public boolean isHealthy() {
        return state == Health.State.HEALTHY;
    }

    @Override
    public String toString() {
        return state + ": " + message + (evidence.isEmpty() ? "" : " " + evidence);
    }
}
