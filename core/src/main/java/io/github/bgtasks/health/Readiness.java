package io.github.bgtasks.health;

import io.github.bgtasks.internal.health.Access;
import io.github.bgtasks.internal.health.Probe;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * When a task is ready for use: a log line, an open port, an HTTP status, a check written in
 * Java, or all of several. Give it to {@code TaskSpec.Builder.readiness(readiness, deadline)};
 * {@code TaskHandle.onReady()} then completes once every condition has held (each counts once
 * it held once), and fails at once, with the task's last lines, when the task ends first or the
 * deadline passes. Conditions not yet met are tried again every 100 ms, each try cut after 2 s.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class Readiness {
    static {
        Access.setReadiness(o -> ((Readiness) o).conditions);
    }

    private final List<Access.Condition> conditions;

    private Readiness(List<Access.Condition> conditions) {
        this.conditions = List.copyOf(conditions);
    }

    private static Readiness of(String name, Probe.Factory<CheckResult> probe) {
        return new Readiness(List.of(new Access.Condition(name, probe)));
    }

    /**
     * Ready once a line of output matches {@code pattern} ({@code find}).
     *
     * @param pattern the pattern
     * @return the readiness
     */
    public static Readiness logLine(Pattern pattern) {
        Objects.requireNonNull(pattern, "pattern must not be null");
        return of("log line /" + pattern + "/", Probes.logLine(pattern));
    }

    /**
     * Ready once {@code 127.0.0.1:port} accepts TCP connections.
     *
     * @param port 1 to 65535
     * @return the readiness
     * @throws IllegalArgumentException if the port is out of range
     */
    public static Readiness port(int port) {
        Checks.port(port);
        return of("port " + port, Probes.tcp("127.0.0.1", port));
    }

    /**
     * Ready once a GET of {@code url} answers with a status below 400.
     *
     * @param url an absolute http(s) URL
     * @return the readiness
     * @throws IllegalArgumentException if the URL is not absolute http(s) with a host
     */
    public static Readiness http(URI url) {
        return http(url, 0);
    }

    /**
     * Ready once a GET of {@code url} answers with {@code expected}.
     *
     * @param url an absolute http(s) URL
     * @param expected the status, 100 to 599
     * @return the readiness
     * @throws IllegalArgumentException if the URL or status is invalid
     */
    public static Readiness http(URI url, int expected) {
        URI u = Checks.url(url);
        int status = expected == 0 ? 0 : Checks.status(expected);
        return of("http " + u, Probes.http(u, status, HttpClients.SHARED));
    }

    /**
     * Ready once a check written in Java returns a healthy result; it runs on a pool thread.
     *
     * @param name its name, for messages
     * @param check the check
     * @return the readiness
     */
    public static Readiness custom(String name, Supplier<CheckResult> check) {
        Checks.name(name);
        Objects.requireNonNull(check, "check must not be null");
        return of(name, Probes.custom(name, check));
    }

    /**
     * Ready once all of these are.
     *
     * @param all at least one readiness
     * @return the readiness
     */
    public static Readiness allOf(Readiness... all) {
        Objects.requireNonNull(all, "readiness list must not be null");
        if (all.length == 0) {
            throw new IllegalArgumentException("allOf needs at least one readiness");
        }
        List<Access.Condition> c = new ArrayList<>();
        for (Readiness r : all) {
            c.addAll(Objects.requireNonNull(r, "readiness must not be null").conditions);
        }
        return new Readiness(c);
    }

    @Override
    public String toString() {
        return "Readiness" + conditions.stream().map(Access.Condition::name).toList();
    }
}
