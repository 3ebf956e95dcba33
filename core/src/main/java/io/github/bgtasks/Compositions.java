package io.github.bgtasks;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The groups and pipelines of one instance: starts them on the instance's tasks, and on close
 * makes sure no queued task starts any more. This class is thread-safe.
 */
final class Compositions {
    private final Function<TaskSpec, TaskHandle> starter;
    private final TaskContext ctx;
    private final TaskRegistry registry;
    private final CheckEngine alerts;
    private final Set<GroupRun> groups = ConcurrentHashMap.newKeySet();
    private final Set<PipelineRun> pipelines = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Compositions(Function<TaskSpec, TaskHandle> starter, TaskContext ctx, TaskRegistry registry, CheckEngine alerts) {
        this.starter = starter;
        this.ctx = ctx;
        this.registry = registry;
        this.alerts = alerts;
    }

    TaskGroup start(GroupSpec spec) {
        Objects.requireNonNull(spec, "group must not be null");
        if (spec.tasks().isEmpty()) {
            throw new IllegalArgumentException("group " + spec.name() + " has no tasks; add at least one with add(TaskSpec)");
        }
        requireOpen();
        GroupRun g = new GroupRun(spec, starter, ctx, registry);
        groups.add(g);
        g.onExit().whenComplete((r, e) -> groups.remove(g));
        g.enqueue();
        return g.begin();
    }

    PipelineHandle run(Pipeline pipeline) {
        Objects.requireNonNull(pipeline, "pipeline must not be null");
        if (pipeline.steps().isEmpty()) {
            throw new IllegalArgumentException("pipeline " + pipeline.name() + " has no steps; add at least one with step(...)");
        }
        requireOpen();
        PipelineRun p = new PipelineRun(pipeline, starter, ctx, registry, alerts);
        pipelines.add(p);
        p.onExit().whenComplete((r, e) -> pipelines.remove(p));
        return p.begin();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this BackgroundTasks is closed; build a new one to start tasks");
        }
    }

    /** No queued task starts from now on: queued ones are skipped. The running ones are the close's business. */
    void close() {
        closed = true;
        pipelines.forEach(PipelineRun::cancel);
        groups.forEach(g -> g.cancel("its BackgroundTasks was closed", false));
    }
}
