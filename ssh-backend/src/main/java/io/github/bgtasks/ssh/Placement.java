package io.github.bgtasks.ssh;

import java.util.Objects;
import java.util.function.Function;

/**
 * How an {@link SshBackend} with several hosts picks the host of a task. Hosts that run their
 * maximum number of tasks are never picked; if every host does, the start is rejected.
 * This class is immutable and thread-safe.
 */
public final class Placement {
    enum Kind { ROUND_ROBIN, LEAST_LOADED, BY_NAME }

    final Kind kind;
    final Function<String, String> hostOfTask;

    private Placement(Kind kind, Function<String, String> hostOfTask) {
        this.kind = kind;
        this.hostOfTask = hostOfTask;
    }

    /**
     * Each host in turn, skipping full ones. The default.
     *
     * @return the placement
     */
    public static Placement roundRobin() {
        return new Placement(Kind.ROUND_ROBIN, null);
    }

    /**
     * The host with the lowest load average (of the last minute, read from {@code /proc/loadavg}
     * over its connection at most every two seconds); among equals, the one with fewer tasks of
     * this backend.
     *
     * @return the placement
     */
    public static Placement leastLoaded() {
        return new Placement(Kind.LEAST_LOADED, null);
    }

    /**
     * A host named per task: the function gets the task's name and returns a host exactly as
     * it was given to {@link SshBackend.Builder#host(String)}, or {@code null} for round robin.
     *
     * @param hostOfTask the host of each task name; called on the starting thread
     * @return the placement
     */
    public static Placement byTaskName(Function<String, String> hostOfTask) {
        return new Placement(Kind.BY_NAME, Objects.requireNonNull(hostOfTask, "hostOfTask must not be null"));
    }

    @Override
    public String toString() {
        return "Placement." + switch (kind) {
            case ROUND_ROBIN -> "roundRobin()";
            case LEAST_LOADED -> "leastLoaded()";
            case BY_NAME -> "byTaskName(...)";
        };
    }
}
