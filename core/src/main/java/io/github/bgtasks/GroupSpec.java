package io.github.bgtasks;

import io.github.bgtasks.internal.posix.TaskNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * A parallel group: tasks started together, at most {@link #maxParallel(int)} at a time, the
 * others {@link TaskState#QUEUED} and started in the order added as running ones end.
 *
 * <pre>{@code
 * TaskGroup checks = tasks.group("checks").maxParallel(2).failFast(true)
 *         .add(TaskSpec.builder("npm", "test").name("node18-tests").environment(node18).build())
 *         .add(TaskSpec.builder("npm", "run", "lint").name("lint").build())
 *         .start();
 * GroupResult all = checks.onExit().join();
 * }</pre>
 *
 * <p>Each method returns a new spec and leaves this one as it was, so a spec can be shared and
 * extended; it is also a pipeline step ({@link Pipeline#step(GroupSpec)}). Tasks are named by
 * their spec, or, without a name, after their program and position ({@code npm-2} for the second
 * task); names must differ within a group, and a {@link TaskSpec} may be added only once. A spec
 * from {@link BackgroundTasks#group(String)} can {@link #start()} itself on that instance; one
 * from {@link #named(String)} is started with {@link BackgroundTasks#start(GroupSpec)}.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class GroupSpec {
    private final String name;
    private final int maxParallel; // 0: not set, no cap
    private final Boolean failFast;
    private final List<TaskSpec> tasks;
    private final List<String> names;
    private final Function<GroupSpec, TaskGroup> starter; // null unless from BackgroundTasks.group

    private GroupSpec(String name, int maxParallel, Boolean failFast, List<TaskSpec> tasks, List<String> names,
            Function<GroupSpec, TaskGroup> starter) {
        this.name = name;
        this.maxParallel = maxParallel;
        this.failFast = failFast;
        this.tasks = tasks;
        this.names = names;
        this.starter = starter;
    }

    /**
     * Starts describing a group.
     *
     * @param name the group's name: 1 to 64 letters, digits, {@code _} and {@code -}
     * @return an empty group without a cap and without fail-fast
     * @throws IllegalArgumentException if the name has other characters
     */
    public static GroupSpec named(String name) {
        TaskNames.check(name);
        return new GroupSpec(name, 0, null, List.of(), List.of(), null);
    }

    /** A spec that {@link #start()} starts on an instance. */
    static GroupSpec named(String name, Function<GroupSpec, TaskGroup> starter) {
        GroupSpec g = named(name);
        return new GroupSpec(g.name, 0, null, List.of(), List.of(), starter);
    }

    /**
     * Caps how many of the group's tasks run at once; the others wait {@link TaskState#QUEUED}.
     *
     * @param max at least 1; default: no cap, all start at once
     * @return a new spec
     * @throws IllegalArgumentException if {@code max} is less than 1
     * @throws IllegalStateException if the cap was already set
     */
    public GroupSpec maxParallel(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxParallel of group " + name + " must be at least 1, was " + max);
        }
        if (maxParallel != 0) {
            throw new IllegalStateException("maxParallel of group " + name + " was already set to " + maxParallel);
        }
        return new GroupSpec(name, max, failFast, tasks, names, starter);
    }

    /**
     * Chooses whether the first failure (a task that ends {@link TaskState#FAILED},
     * {@link TaskState#TIMED_OUT} or {@link TaskState#LOST}) stops the rest: running tasks are
     * stopped (SIGTERM, the grace period, SIGKILL) and queued ones are {@link TaskState#SKIPPED}.
     *
     * @param failFast whether to stop the rest; default {@code false}
     * @return a new spec
     * @throws IllegalStateException if it was already set
     */
    public GroupSpec failFast(boolean failFast) {
        if (this.failFast != null) {
            throw new IllegalStateException("failFast of group " + name + " was already set to " + this.failFast);
        }
        return new GroupSpec(name, maxParallel, failFast, tasks, names, starter);
    }

    /**
     * Adds a task; tasks start in the order added.
     *
     * @param spec the task
     * @return a new spec
     * @throws IllegalArgumentException if this spec was already added, or another task of the
     *     group has the same name
     */
    public GroupSpec add(TaskSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        String taskName = spec.name().orElse(TaskNames.stemOf(spec.argv().get(0)) + "-" + (tasks.size() + 1));
        for (int i = 0; i < tasks.size(); i++) {
            if (tasks.get(i) == spec) {
                throw new IllegalArgumentException("this TaskSpec was already added to group " + name + " as task "
                        + (i + 1) + " (" + names.get(i) + "); a spec is one task: build another one to run it twice");
            }
        }
        if (names.contains(taskName)) {
            throw new IllegalArgumentException("group " + name + " already has a task named '" + taskName
                    + "' (task " + (names.indexOf(taskName) + 1) + "); give each task of a group its own name");
        }
        List<TaskSpec> t = new ArrayList<>(tasks);
        t.add(spec);
        List<String> n = new ArrayList<>(names);
        n.add(taskName);
        return new GroupSpec(name, maxParallel, failFast, List.copyOf(t), List.copyOf(n), starter);
    }

    /**
     * Starts the group on the instance that created this spec with
     * {@link BackgroundTasks#group(String)}. Returns once the first tasks (up to the cap) have
     * been started; a task that cannot start ends {@link TaskState#FAILED} with the reason in its
     * result, it does not make this method throw.
     *
     * @return the running group
     * @throws IllegalArgumentException if the group has no tasks
     * @throws IllegalStateException if this spec came from {@link #named(String)}, or the instance
     *     is closed
     */
    public TaskGroup start() {
        if (starter == null) {
            throw new IllegalStateException("group " + name + " belongs to no BackgroundTasks: create it with "
                    + "tasks.group(\"" + name + "\"), or start it with tasks.start(group)");
        }
        return starter.apply(this);
    }

    /** @return the group's name */
    public String name() {
        return name;
    }

    /** @return the cap on running tasks, or empty if all start at once */
    public OptionalInt maxParallel() {
        return maxParallel == 0 ? OptionalInt.empty() : OptionalInt.of(maxParallel);
    }

    /** @return whether the first failure stops the rest */
    public boolean failFast() {
        return Boolean.TRUE.equals(failFast);
    }

    /** @return the tasks, in the order they start */
    public List<TaskSpec> tasks() {
        return tasks;
    }

    /** @return the tasks' names, in the same order: their spec's name, else program and position */
    public List<String> taskNames() {
        return names;
    }

    @Override
    public String toString() {
        return "GroupSpec{" + name + (maxParallel == 0 ? "" : " maxParallel " + maxParallel)
                + (failFast() ? " failFast" : "") + " " + names + "}";
    }
}
