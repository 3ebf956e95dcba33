package io.github.bgtasks.junit5;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One start of an extension's tasks, for a test class or one test: the instance, the handles in
 * start order (attached ones first), the ports. Closing stops the process tree of every task it
 * started (not the attached ones) and waits for the ends. Thread-safe once started.
 */
final class Run implements AutoCloseable {
    private final String owner;
    private final BackgroundTasks tasks;
    private final FreePorts ports = new FreePorts();
    private final Map<String, TaskHandle> handles = Collections.synchronizedMap(new LinkedHashMap<>());
    /** The tasks found running, which their starter owns: never stopped here. */
    private final Set<TaskHandle> attached = Collections.newSetFromMap(new IdentityHashMap<>());
    private final AtomicBoolean closed = new AtomicBoolean();

    private Run(String owner, BackgroundTasks tasks) {
        this.owner = owner;
        this.tasks = tasks;
    }

    /**
     * Starts the tasks one after the other, each once the one before is ready (so a server can
     * depend on a database declared before it). On any failure, stops what it started.
     *
     * @param owner the unique id of the test class or test that owns the run
     * @param attach the names of running tasks to attach to, before any start
     */
    static Run start(String owner, List<String> attach, List<Function<Ports, TaskSpec>> specs,
            Supplier<BackgroundTasks> instance) {
        BackgroundTasks tasks = Objects.requireNonNull(instance.get(),
                "the BackgroundTasks supplier of BackgroundTasksExtension returned null");
        Run run = new Run(owner, tasks);
        try {
            for (String name : attach) {
                TaskHandle h = running(tasks, name);
                run.handles.put(name, h);
                synchronized (run.attached) {
                    run.attached.add(h);
                }
            }
            for (int i = 0; i < specs.size(); i++) {
                int number = i + 1;
                TaskSpec spec = Objects.requireNonNull(specs.get(i).apply(run.ports),
                        "the spec function of task #" + number + " returned null");
                String name = spec.name().orElseThrow(() -> new IllegalArgumentException("task #" + number + " "
                        + spec.argv() + " has no name: give each task of a BackgroundTasksExtension one, "
                        + "with TaskSpec.Builder.name(..), so that reports and handle(name) can refer to it"));
                if (run.handles.containsKey(name)) {
                    throw new IllegalArgumentException("two tasks are named '" + name + "': give each task of a "
                            + "BackgroundTasksExtension its own name");
                }
                TaskHandle handle = tasks.start(spec);
                run.handles.put(name, handle);
                awaitReady(name, handle);
            }
            return run;
        } catch (RuntimeException | Error e) {
            try {
                run.close();
            } catch (RuntimeException | Error s) {
                e.addSuppressed(s);
            }
            throw e;
        }
    }

    /** @return the running task of that name, or a failure that says what the instance sees */
    private static TaskHandle running(BackgroundTasks tasks, String name) {
        TaskHandle h = tasks.find(name).orElseThrow(() -> new IllegalStateException("there is no task '" + name
                + "' to attach to, so the tests did not run: " + tasks + " sees " + tasks.list().stream()
                .map(TaskHandle::id).toList() + ". Start it first (the Maven plugin: start with keepAfterBuild, which "
                + "sets the property bgtasks.<id>.stateDirectory), and give the extension an instance that sees it: "
                + "ProcessBackend.detached(that directory), or tmux on the same socket"));
        if (h.state().isTerminal() || h.state() == TaskState.QUEUED) {
            List<String> tail = h.tail(20);
            throw new IllegalStateException("task '" + name + "' to attach to is not running but " + h.state()
                    + ", so the tests did not run; log " + h.logFile() + (tail.isEmpty() ? "" : ", last lines:\n  | "
                    + String.join("\n  | ", tail)));
        }
        return h;
    }

    private static void awaitReady(String name, TaskHandle handle) {
        try {
            handle.onReady().get(); // fails by itself at the spec's deadline, or at once when the task ends
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("task '" + name + "' did not get ready, so the tests did not run: "
                    + cause.getMessage() + "\nlog: " + handle.logFile(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for task '" + name + "' to get ready", e);
        }
    }

    String owner() {
        return owner;
    }

    BackgroundTasks tasks() {
        return tasks;
    }

    Ports ports() {
        return ports;
    }

    Map<String, Integer> pickedPorts() {
        return ports.picked();
    }

    /** @return the task, or null */
    TaskHandle handle(String name) {
        return handles.get(name);
    }

    List<String> names() {
        synchronized (handles) {
            return List.copyOf(handles.keySet());
        }
    }

    /** @return each task's state, log file and last lines, for a failure report */
    String report(int lines) {
        StringBuilder b = new StringBuilder("background tasks at the failure:");
        List<TaskHandle> all;
        synchronized (handles) {
            all = List.copyOf(handles.values());
        }
        for (TaskHandle h : all) {
            b.append("\n  task '").append(h.name()).append("' ").append(h.state());
            h.pid().ifPresent(p -> b.append(", pid ").append(p));
            b.append(", log ").append(h.logFile());
            List<String> tail = h.tail(lines);
            b.append(tail.isEmpty() ? ", no output yet" : ", last " + tail.size() + " lines:");
            for (String line : tail) {
                b.append("\n    | ").append(line);
            }
        }
        return b.toString();
    }

    /**
     * Stops every task it started (SIGTERM to its tree, SIGKILL after the grace period), waits,
     * closes the instance; attached tasks are left running.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<TaskHandle> all;
        synchronized (handles) {
            all = new ArrayList<>(handles.values());
        }
        Collections.reverse(all);
        List<CompletableFuture<?>> ends = new ArrayList<>();
        RuntimeException failure = null;
        synchronized (attached) {
            all.removeAll(attached); // their starter owns them
        }
        for (TaskHandle h : all) {
            try {
                ends.add(h.stop()); // all at once: the grace periods run side by side
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        for (CompletableFuture<?> end : ends) {
            try {
                end.join();
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        try {
            tasks.close();
        } catch (RuntimeException e) {
            failure = add(failure, e);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return new IllegalStateException("could not stop every background task", next);
        }
        first.addSuppressed(next);
        return first;
    }
}
