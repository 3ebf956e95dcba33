package io.github.bgtasks.internal.health;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reads the engine's side of the public health types (their probes) without making it public
 * API: each type hands over its reader from its static initialiser, which has run by the time
 * an instance exists (the JDK's "shared secrets" pattern). The readers take {@code Object}, and
 * probes are generic in their result, so that this package names no type above it: the health
 * package and the engine both depend on it, and it on neither.
 */
public final class Access {
    private static volatile Function<Object, Probe.Factory<?>> checks;
    private static volatile Function<Object, List<Condition>> readiness;

    private Access() {
    }

    /** A named readiness condition. */
    public record Condition(String name, Probe.Factory<?> probe) {
    }

    /** Called once, by {@code HealthCheck}. */
    public static void setChecks(Function<Object, Probe.Factory<?>> reader) {
        checks = Objects.requireNonNull(reader);
    }

    /** Called once, by {@code Readiness}. */
    public static void setReadiness(Function<Object, List<Condition>> reader) {
        readiness = Objects.requireNonNull(reader);
    }

    /** @return the probe factory of a {@code HealthCheck} */
    public static Probe.Factory<?> probe(Object check) {
        return checks.apply(check);
    }

    /** @return the conditions of a {@code Readiness}, all of which must hold */
    public static List<Condition> conditions(Object r) {
        return readiness.apply(r);
    }
}
