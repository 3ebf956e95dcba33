package io.github.bgtasks.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A task's health as its checks last saw it: {@link State#UNHEALTHY} when any check is
 * unhealthy (past its failure threshold), {@link State#HEALTHY} when every check is healthy,
 * otherwise {@link State#UNKNOWN} (no checks, or not all have run yet).
 *
 * <p>This record is immutable and thread-safe.
 *
 * @param state the overall state
 * @param checks the last result of each check, by check name, in the order they were added
 */
public record Health(State state, Map<String, CheckResult> checks) {

    /** The state of a task or of one check. */
    public enum State {
        /** Every check holds. */
        HEALTHY,
        /** A check failed as often in a row as its failure threshold. */
        UNHEALTHY,
        /** Not known (yet): no checks, not run yet, or the check cannot tell. */
        UNKNOWN
    }

    /** Copies the map, keeping its order; rejects nulls. */
    public Health {
        Objects.requireNonNull(state, "state must not be null");
        checks = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(checks));
    }

    /**
     * @return the evidence of the checks in the overall state (for an unhealthy task, what the
     *     unhealthy checks saw), each line prefixed with the check's name
     */
    public List<String> evidence() {
        List<String> out = new ArrayList<>();
        checks.forEach((name, r) -> {
            if (r.state() == state) {
                out.add(name + ": " + r.message());
                r.evidence().forEach(e -> out.add(name + ": " + e));
            }
        });
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return state + (checks.isEmpty() ? "" : " " + checks);
    }
}
