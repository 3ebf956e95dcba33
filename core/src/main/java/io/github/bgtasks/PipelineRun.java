package io.github.bgtasks;

import io.github.bgtasks.health.Alert;
import io.github.bgtasks.health.AlertListener;
import io.github.bgtasks.internal.health.LogCursor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine of one pipeline: one {@link GroupRun} per step (a task step is a group of one), all
 * queued at the start so that {@link BackgroundTasks#list()} shows them, run one after another.
 * The next step starts on the callback thread that hears the previous step's end; no thread of
 * its own. Decisions are made under {@link #lock}; starts, stops and user code run outside it.
 * This class is thread-safe.
 */
final class PipelineRun implements PipelineHandle {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineRun.class);

    private final Pipeline pipeline;
    private final List<Pipeline.Step> steps;
    private final List<GroupRun> runs = new ArrayList<>();
    private final TaskContext ctx;
    private final CheckEngine alerts;
    private final CompletableFuture<PipelineResult> result = new CompletableFuture<>();
    private final List<AlertListener> alertListeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();

    // guarded by lock
    private final StepResult[] stepResults;
    private final List<StepResult> heard = new ArrayList<>();
    private final List<Consumer<StepResult>> listeners = new ArrayList<>();
    private int current = -1;
    private boolean stopped; // by hand, by a stopped step, or by the instance's close
    private boolean stopTasks; // stopped by hand: running tasks are stopped too
    private String stopCause;
    private boolean over;
    private final long startNanos;

    PipelineRun(Pipeline pipeline, Function<TaskSpec, TaskHandle> starter, TaskContext ctx, TaskRegistry registry,
            CheckEngine alerts) {
        this.pipeline = pipeline;
        this.steps = pipeline.steps();
        this.ctx = ctx;
        this.alerts = alerts;
        for (Pipeline.Step s : steps) {
            runs.add(new GroupRun(s.asGroup(), starter, ctx, registry));
        }
        this.stepResults = new StepResult[steps.size()];
        this.startNanos = ctx.ticker().read();
    }

    /** Queues every step's tasks, then starts the first step. */
    PipelineRun begin() {
        runs.forEach(GroupRun::enqueue);
        next(0);
        return this;
    }

    private void next(int i) {
        GroupRun run = runs.get(i);
        boolean halted;
        synchronized (lock) {
            halted = stopped;
            if (!halted) {
                current = i;
            }
        }
        if (halted) { // stopped between two steps
            end(i - 1, false);
            return;
        }
        run.onExit().thenAccept(g -> stepEnded(i, g)).whenComplete((v, e) -> {
            if (e != null) {
                LOG.warn("pipeline {}: could not go on after step {}", pipeline.name(), i + 1, e);
            }
        });
        run.begin();
        boolean stopNow;
        boolean stopRunning;
        synchronized (lock) {
            stopNow = stopped;
            stopRunning = stopTasks;
        }
        if (stopNow) { // stopped while this step was starting
            run.cancel(stopReason(), stopRunning);
        }
    }

    private String stopReason() {
        synchronized (lock) {
            return stopCause;
        }
    }

    private void stepEnded(int i, GroupResult g) {
        Pipeline.Step step = steps.get(i);
        StepResult r = new StepResult(step.name(), i + 1, g.state(), step.continueOnFailure(),
                step.task() != null ? g.results().get(0) : null, step.group() != null ? g : null);
        boolean failed;
        boolean goOn;
        synchronized (lock) {
            stepResults[i] = r;
            if (r.state() == TaskState.STOPPED && !stopped) {
                stopped = true; // a step stopped by hand ends the pipeline as a stop, not a failure
                stopCause = "step " + (i + 1) + " '" + step.name() + "' was stopped";
            }
            failed = !r.succeeded() && !step.continueOnFailure() && !stopped;
            goOn = i + 1 < steps.size() && !failed && !stopped;
        }
        hear(r);
        if (goOn) {
            next(i + 1);
        } else {
            end(i, failed);
        }
    }

    /** Skips the steps after {@code last}, raises the alert of a failed one, completes the result. */
    private void end(int last, boolean failed) {
        synchronized (lock) {
            if (over) {
                return;
            }
            over = true;
        }
        String why = failed ? "step " + (last + 1) + " '" + steps.get(last).name() + "' failed" : stopReason();
        List<StepResult> skipped = new ArrayList<>();
        for (int j = last + 1; j < steps.size(); j++) {
            runs.get(j).cancel(why, false);
            Pipeline.Step s = steps.get(j);
            TaskResult skippedTask = s.task() == null ? null
                    : TaskResult.notRun(s.name(), s.name(), TaskState.SKIPPED, why, ctx.clock().instant());
            StepResult sr = new StepResult(s.name(), j + 1, TaskState.SKIPPED, s.continueOnFailure(), skippedTask,
                    s.group() == null ? null : new GroupResult(s.name(), runs.get(j).members().stream()
                            .map(m -> TaskResult.notRun(m.name(), m.name(), TaskState.SKIPPED, why, ctx.clock().instant()))
                            .toList(), Duration.ZERO, false));
            synchronized (lock) {
                stepResults[j] = sr;
            }
            skipped.add(sr);
            hear(sr);
        }
        if (failed) {
            alert(stepResults(last), last, skipped);
        }
        PipelineResult p;
        synchronized (lock) {
            p = new PipelineResult(pipeline.name(), List.of(stepResults), Duration.ofNanos(ctx.ticker().read() - startNanos),
                    stopped);
        }
        LOG.debug("pipeline {} ended: {}", pipeline.name(), p.state());
        result.complete(p);
    }

    private StepResult stepResults(int i) {
        synchronized (lock) {
            return stepResults[i];
        }
    }

    /** Raises the STEP_FAILED alert: the failing task of the step, its exit, error lines, hint, log. */
    private void alert(StepResult step, int i, List<StepResult> skipped) {
        TaskResult failing = step.task().orElseGet(() -> step.group().orElseThrow().results().stream()
                .filter(t -> t.state() == TaskState.FAILED || t.state() == TaskState.TIMED_OUT || t.state() == TaskState.LOST)
                .findFirst().orElse(step.group().orElseThrow().results().get(0)));
        Path log = failing.logFile();
        String exit = failing.exitCode().isPresent() ? "exit code " + failing.exitCode().getAsInt()
                : failing.signal().isPresent() ? "signal " + failing.signal().getAsInt()
                : failing.lostReason().orElse(failing.state().toString());
        String message = "pipeline " + pipeline.name() + " stopped at step " + (i + 1) + " of " + steps.size() + ", '"
                + step.name() + "': " + failing.summary()
                + (skipped.isEmpty() ? "" : "; skipped: " + String.join(", ", skipped.stream().map(StepResult::name).toList()))
                + (log != null ? "; log " + log : "");
        List<String> evidence = new ArrayList<>();
        evidence.add("step " + (i + 1) + " of " + steps.size() + ": " + step.name()
                + (step.name().equals(failing.name()) ? "" : " (task " + failing.name() + ")"));
        evidence.add(exit);
        if (log != null) {
            evidence.add("log file: " + log);
        }
        evidence.addAll(failing.errorLines());
        List<String> lines = log == null ? List.of()
                : LogCursor.relevant(() -> ctx.logs().read(log), ctx.logScan().errorPattern());
        alerts.alert(new Alert(Alert.Kind.STEP_FAILED, failing.id(), pipeline.name(), message, evidence, lines,
                failing.hint()), List.copyOf(alertListeners));
    }

    private void hear(StepResult r) {
        List<Consumer<StepResult>> ls;
        synchronized (lock) {
            heard.add(r);
            ls = List.copyOf(listeners);
        }
        ls.forEach(l -> call(l, r)); // on the callback thread that heard the step's end: in order
    }

    private void call(Consumer<StepResult> l, StepResult r) {
        try {
            l.accept(r);
        } catch (RuntimeException | Error e) {
            LOG.warn("step listener {} of pipeline {} failed on step {}", l, pipeline.name(), r.name(), e);
        }
    }

    @Override
    public String name() {
        return pipeline.name();
    }

    @Override
    public List<TaskHandle> tasks() {
        List<TaskHandle> all = new ArrayList<>();
        runs.forEach(r -> all.addAll(r.tasks()));
        return List.copyOf(all);
    }

    @Override
    public PipelineHandle addStepListener(Consumer<StepResult> listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        List<StepResult> replay;
        synchronized (lock) {
            listeners.add(listener);
            replay = List.copyOf(heard);
        }
        if (!replay.isEmpty()) {
            ctx.threads().deliver(() -> replay.forEach(r -> call(listener, r)));
        }
        return this;
    }

    @Override
    public PipelineHandle addAlertListener(AlertListener listener) {
        alertListeners.add(Objects.requireNonNull(listener, "listener must not be null"));
        return this;
    }

    @Override
    public CompletableFuture<PipelineResult> onExit() {
        return result.copy();
    }

    @Override
    public CompletableFuture<PipelineResult> stop() {
        halt(true);
        return onExit();
    }

    private void halt(boolean stopRunning) {
        GroupRun run;
        synchronized (lock) {
            if (!stopped) {
                stopCause = stopRunning ? "pipeline " + pipeline.name() + " was stopped" : "its BackgroundTasks was closed";
            }
            stopped = true;
            stopTasks |= stopRunning;
            run = current >= 0 && !over ? runs.get(current) : null;
        }
        if (run != null) {
            run.cancel(stopReason(), stopRunning);
        }
    }

    /**
     * For a closing instance: no task starts any more, the later steps are skipped; running tasks
     * are the close's business (it stops them, or leaves them running on tmux).
     */
    void cancel() {
        halt(false);
    }

    @Override
    public void close() {
        stop().join();
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "PipelineHandle{" + pipeline.name() + ", step " + (current + 1) + " of " + steps.size()
                    + (over ? ", ended" : "") + "}";
        }
    }
}
