package io.github.bgtasks;

import io.github.bgtasks.health.AlertListener;
import io.github.bgtasks.health.Health;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handle of a group's or pipeline's task for its whole life: {@link TaskState#QUEUED} until
 * its {@link GroupRun} starts it, then a view of the running task; {@link TaskState#SKIPPED} if it
 * never starts. While queued it has no pid, no log and no output; its id is its name, and
 * {@link #startedAt()} is when it was queued. Its result and listeners are its own, completed by
 * the group once the running task has ended. Decisions under {@link #lock}; user code outside it.
 * This class is thread-safe.
 */
final class QueuedTask implements TaskHandle {
    private static final Logger LOG = LoggerFactory.getLogger(QueuedTask.class);

    private final GroupRun group;
    private final TaskSpec spec;
    private final Instant queuedAt;
    private final CompletableFuture<TaskResult> result = new CompletableFuture<>();
    private final CompletableFuture<TaskHandle> begun = new CompletableFuture<>();
    private final Object lock = new Object();

    // guarded by lock
    private TaskHandle running;
    private TaskResult done;
    private List<CompletionListener> listeners = new ArrayList<>();
    private final List<AlertListener> alertListeners = new ArrayList<>();

    QueuedTask(GroupRun group, TaskSpec spec, Instant queuedAt) {
        this.group = group;
        this.spec = spec;
        this.queuedAt = queuedAt;
    }

    TaskSpec spec() {
        return spec;
    }

    /** @return the running (or ended) task, or null while queued or once skipped */
    TaskHandle running() {
        synchronized (lock) {
            return running;
        }
    }

    /** Called once the task has started: from now on this handle shows it. */
    void started(TaskHandle task) {
        synchronized (lock) {
            running = task;
        }
    }

    /** Called after {@link #started}, under no lock of the group: hands over what waited for the start. */
    void announceStart() {
        TaskHandle task;
        List<AlertListener> forward;
        synchronized (lock) {
            task = running;
            forward = List.copyOf(alertListeners);
        }
        forward.forEach(task::addAlertListener);
        begun.complete(task);
    }

    /** Records the end, once; returns the listeners' work, or null if it had ended already. */
    Runnable complete(TaskResult r) {
        List<CompletionListener> toCall;
        synchronized (lock) {
            if (done != null) {
                return null;
            }
            done = r;
            toCall = listeners;
            listeners = null;
        }
        begun.completeExceptionally(new IllegalStateException("task " + r.name() + " never started: " + r.summary()));
        return () -> {
            for (CompletionListener l : toCall) {
                try {
                    l.onComplete(r);
                } catch (RuntimeException | Error e) {
                    LOG.warn("completion listener {} of task {} failed", l, r.id(), e);
                }
            }
            result.complete(r);
        };
    }

    private TaskHandle current() {
        synchronized (lock) {
            return running;
        }
    }

    @Override
    public String id() {
        TaskHandle t = current();
        return t != null ? t.id() : name();
    }

    @Override
    public String name() {
        return spec.name().orElseThrow(); // the group named it
    }

    @Override
    public List<String> command() {
        return spec.argv();
    }

    @Override
    public TaskState state() {
        synchronized (lock) {
            if (running != null) {
                return running.state();
            }
            return done != null ? done.state() : TaskState.QUEUED;
        }
    }

    @Override
    public Instant startedAt() {
        TaskHandle t = current();
        return t != null ? t.startedAt() : queuedAt;
    }

    @Override
    public Duration runtime() {
        TaskHandle t = current();
        return t != null ? t.runtime() : Duration.ZERO;
    }

    @Override
    public OptionalLong pid() {
        TaskHandle t = current();
        return t != null ? t.pid() : OptionalLong.empty();
    }

    @Override
    public CompletableFuture<TaskResult> onExit() {
        return result.copy();
    }

    @Override
    public TaskHandle addListener(CompletionListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        TaskResult r;
        synchronized (lock) {
            r = done;
            if (r == null) {
                listeners.add(listener);
            }
        }
        if (r != null) {
            group.deliver(() -> {
                try {
                    listener.onComplete(r);
                } catch (RuntimeException | Error e) {
                    LOG.warn("completion listener {} of task {} failed", listener, r.id(), e);
                }
            });
        }
        return this;
    }

    @Override
    public List<String> tail(int lines) {
        if (lines < 0) {
            throw new IllegalArgumentException("lines must be at least 0, was " + lines);
        }
        TaskHandle t = current();
        return t != null ? t.tail(lines) : List.of();
    }

    @Override
    public Path logFile() {
        TaskHandle t = current();
        if (t == null) {
            throw new IllegalStateException("task " + name() + " has no log: it is " + state()
                    + " (group or pipeline " + group.name() + ")");
        }
        return t.logFile();
    }

    @Override
    public void send(String line) {
        Objects.requireNonNull(line, "line must not be null");
        requireStarted("input can not be sent").send(line);
    }

    @Override
    public void closeInput() {
        requireStarted("its input can not be closed").closeInput();
    }

    private TaskHandle requireStarted(String consequence) {
        TaskHandle t = current();
        if (t == null) {
            throw new IllegalStateException("task " + name() + " is " + state() + " in " + group.name()
                    + ", not running; " + consequence);
        }
        return t;
    }

    /** Stops the running task; a queued one is taken out of the queue and ends SKIPPED. */
    @Override
    public CompletableFuture<TaskResult> stop() {
        TaskHandle t = current();
        if (t != null) {
            t.stop();
        } else {
            group.skipQueued(this);
            t = current(); // it may have started meanwhile
            if (t != null) {
                t.stop();
            }
        }
        return onExit();
    }

    @Override
    public CompletableFuture<TaskResult> kill() {
        TaskHandle t = current();
        if (t != null) {
            t.kill();
        } else {
            group.skipQueued(this);
        }
        return onExit();
    }

    /** Completes once the task is ready; fails if it never starts. */
    @Override
    public CompletableFuture<TaskHandle> onReady() {
        return begun.thenCompose(TaskHandle::onReady);
    }

    @Override
    public Health health() {
        TaskHandle t = current();
        return t != null ? t.health() : new Health(Health.State.UNKNOWN, Map.of());
    }

    @Override
    public TaskHandle addAlertListener(AlertListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        TaskHandle t;
        synchronized (lock) {
            t = running;
            if (t == null) {
                alertListeners.add(listener); // handed to the task when it starts
            }
        }
        if (t != null) {
            t.addAlertListener(listener);
        }
        return this;
    }

    @Override
    public Optional<String> attachCommand() {
        TaskHandle t = current();
        return t != null ? t.attachCommand() : Optional.empty();
    }

    @Override
    public void close() {
        stop().join();
    }

    @Override
    public String toString() {
        TaskHandle t = current();
        return t != null ? t.toString() : "Task{" + name() + " " + state() + " in " + group.name() + "}";
    }
}
