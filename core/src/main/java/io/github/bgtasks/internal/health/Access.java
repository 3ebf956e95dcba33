package io.github.bgtasks.internal.health;

import io.github.bgtasks.health.HealthCheck;
import io.github.bgtasks.health.Readiness;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reads the engine's side of the public health types (their probes) without making it public
 * API: each type hands over its reader from its static initialiser, which has run by the time
 * an instance exists (the JDK's "shared secrets" pattern).
 */
public final class Access {
    private static volatile Function<HealthCheck, Probe.Factory> checks;
    private static volatile Function<Readiness, List<Condition>> readiness;

    private Access() {
    }

    /** A named readiness condition. */
    public record Condition(String name, Probe.Factory probe) {
    }

    /** Called once by {@link HealthCheck}. */
    public static void setChecks(Function<HealthCheck, Probe.Factory> reader) {
        checks = Objects.requireNonNull(reader);
    }

    /** Called once by {@link Readiness}. */
    public static void setReadiness(Function<Readiness, List<Condition>> reader) {
        readiness = Objects.requireNonNull(reader);
    }

    /** @return the check's probe factory */
    public static Probe.Factory probe(HealthCheck check) {
        return checks.apply(check);
    }

    /** @return the readiness's conditions, all of which must hold */
    public static List<Condition> conditions(Readiness r) {
        return readiness.apply(r);
    }
}
