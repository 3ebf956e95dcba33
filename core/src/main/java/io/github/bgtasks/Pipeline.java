package io.github.bgtasks;

import io.github.bgtasks.internal.posix.TaskNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Ordered steps, each a task or a parallel {@linkplain GroupSpec group}, run one after another
 * by {@link BackgroundTasks#run(Pipeline)}. The first step that does not succeed ends the
 * pipeline: the later steps are {@link TaskState#SKIPPED} and an
 * {@link io.github.bgtasks.health.Alert.Kind#STEP_FAILED} alert names the step, its exit, its
 * error lines with context, a hint where one is known and its log file. A step marked
 * {@link #continueOnFailure()} may fail without ending the pipeline.
 *
 * <pre>{@code
 * Pipeline deploy = Pipeline.named("deploy")
 *         .step(TaskSpec.builder("npm", "ci").name("install").build())
 *         .step(TaskSpec.builder("npm", "run", "lint").name("lint").build()).continueOnFailure()
 *         .step(GroupSpec.named("tests").add(unit).add(integration))
 *         .step(TaskSpec.shell("./deploy.sh staging").name("deploy").build());
 * PipelineResult r = tasks.run(deploy).onExit().join();
 * }</pre>
 *
 * <p>A step is named by its task's name (else its program and position, as {@code npm-2}) or its
 * group's name; step names must differ, and a {@link TaskSpec} may be used only once. Programs are
 * looked up when their step starts, so a step may run what an earlier one built. Each method
 * returns a new pipeline and leaves this one as it was.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class Pipeline {
    /** One step: a task or a group, and whether its failure ends the pipeline. */
    record Step(String name, TaskSpec task, GroupSpec group, boolean continueOnFailure) {
        /** @return the step as a group: a task step is a group of one */
        GroupSpec asGroup() {
            return group != null ? group : GroupSpec.named(name).add(task.withName(name));
        }
    }

    private final String name;
    private final List<Step> steps;

    private Pipeline(String name, List<Step> steps) {
        this.name = name;
        this.steps = steps;
    }

    /**
     * Starts describing a pipeline.
     *
     * @param name the pipeline's name: 1 to 64 letters, digits, {@code _} and {@code -}
     * @return a pipeline without steps
     * @throws IllegalArgumentException if the name has other characters
     */
    public static Pipeline named(String name) {
        TaskNames.check(name);
        return new Pipeline(name, List.of());
    }

    /**
     * Adds a step that runs one task.
     *
     * @param spec the task
     * @return a new pipeline
     * @throws IllegalArgumentException if the spec is used by an earlier step, or an earlier
     *     step has the same name
     */
    public Pipeline step(TaskSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        String stepName = spec.name().orElse(TaskNames.stemOf(spec.argv().get(0)) + "-" + (steps.size() + 1));
        return with(new Step(stepName, spec, null, false), List.of(spec));
    }

    /**
     * Adds a step that runs a parallel group; the step succeeds when every task of the group does.
     *
     * @param group the group, with at least one task
     * @return a new pipeline
     * @throws IllegalArgumentException if the group has no tasks, one of its specs is used by an
     *     earlier step, or an earlier step has the group's name
     */
    public Pipeline step(GroupSpec group) {
        Objects.requireNonNull(group, "group must not be null");
        if (group.tasks().isEmpty()) {
            throw new IllegalArgumentException("group " + group.name() + " has no tasks; add at least one before "
                    + "making it step " + (steps.size() + 1) + " of pipeline " + name);
        }
        return with(new Step(group.name(), null, group, false), group.tasks());
    }

    private Pipeline with(Step step, List<TaskSpec> specs) {
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.name().equals(step.name())) {
                throw new IllegalArgumentException("pipeline " + name + " already has a step named '" + step.name()
                        + "' (step " + (i + 1) + "); give each step its own name");
            }
            List<TaskSpec> used = s.task() != null ? List.of(s.task()) : s.group().tasks();
            for (TaskSpec spec : specs) {
                if (used.stream().anyMatch(u -> u == spec)) {
                    throw new IllegalArgumentException("this TaskSpec (" + spec + ") is already used by step " + (i + 1)
                            + " (" + s.name() + ") of pipeline " + name + "; a spec is one task: build another one");
                }
            }
        }
        List<Step> next = new ArrayList<>(steps);
        next.add(step);
        return new Pipeline(name, List.copyOf(next));
    }

    /**
     * Marks the step added last: when it fails, the pipeline goes on with the next step (and
     * still {@linkplain PipelineResult#succeeded() succeeds} if all others do).
     *
     * @return a new pipeline
     * @throws IllegalStateException if there is no step yet, or the last one is marked already
     */
    public Pipeline continueOnFailure() {
        if (steps.isEmpty()) {
            throw new IllegalStateException("pipeline " + name + " has no step to mark: call continueOnFailure() "
                    + "after the step(...) it is for");
        }
        Step last = steps.get(steps.size() - 1);
        if (last.continueOnFailure()) {
            throw new IllegalStateException("step " + last.name() + " of pipeline " + name
                    + " is already marked continueOnFailure");
        }
        List<Step> next = new ArrayList<>(steps.subList(0, steps.size() - 1));
        next.add(new Step(last.name(), last.task(), last.group(), true));
        return new Pipeline(name, List.copyOf(next));
    }

    /** @return the pipeline's name */
    public String name() {
        return name;
    }

    /** @return the steps' names, in order */
    public List<String> stepNames() {
        return steps.stream().map(Step::name).toList();
    }

    List<Step> steps() {
        return steps;
    }

    @Override
    public String toString() {
        List<String> s = new ArrayList<>();
        for (Step st : steps) {
            s.add(st.name() + (st.group() != null ? " (group of " + st.group().tasks().size() + ")" : "")
                    + (st.continueOnFailure() ? " (may fail)" : ""));
        }
        return "Pipeline{" + name + " " + s + "}";
    }
}
