package io.github.bgtasks;

import io.github.bgtasks.internal.posix.TaskNames;
import io.github.bgtasks.spi.Launch;
import io.github.bgtasks.spi.LogStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tasks of one instance: the names in use, the runs that are being launched, the list and
 * how many finished tasks it keeps. A start first {@linkplain #reserve reserves} a name and a log,
 * then either {@linkplain #register registers} its task or {@linkplain #cancel cancels}; the
 * instance's close waits for every reservation to end that way. All state is guarded by one
 * lock, which is never held while a backend or user code runs. This class is thread-safe.
 */
final class TaskRegistry {
    private static final String CLOSED = "this BackgroundTasks is closed; build a new one to start tasks";

    private final LogStore logs;
    private final int retainFinished;
    private final AtomicInteger autoNames = new AtomicInteger();
    private final Object lock = new Object();

    // guarded by lock
    private final LinkedHashMap<String, Task> tasks = new LinkedHashMap<>();
    // guarded by lock: name -> id of the task that runs under it
    private final Map<String, String> runningNames = new HashMap<>();
    // guarded by lock: the tasks of the list that have ended, in the order they ended (Task has identity equality)
    private final Set<Task> finished = new LinkedHashSet<>();
    // guarded by lock: tasks of groups and pipelines that wait (QUEUED) or never ran (SKIPPED,
    // or their start failed); a started one leaves, as its running task is listed
    private final LinkedHashSet<QueuedTask> waiting = new LinkedHashSet<>();
    // guarded by lock: reservations not yet registered or cancelled
    private int launching;
    // guarded by lock
    private boolean closed;

    TaskRegistry(LogStore logs, int retainFinished) {
        this.logs = logs;
        this.retainFinished = retainFinished;
    }

    /** A name and a log held for one start, until it is registered or cancelled. */
    record Reservation(String name, String id, Path log) {
    }

    /**
     * Reserves the name (or derives one from the program) and creates the run's log.
     *
     * @throws IllegalStateException if the instance is closed
     * @throws IllegalArgumentException if a task of that name runs
     * @throws TaskStartException if the log could not be created
     */
    Reservation reserve(String requestedName, String program) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException(CLOSED);
            }
            String name = requestedName != null ? requestedName
                    : TaskNames.stemOf(program) + "-" + autoNames.incrementAndGet();
            String running = runningNames.get(name);
            if (running != null) {
                throw new IllegalArgumentException("a task named '" + name + "' is already running (" + running
                        + "); choose another name, or stop that task first");
            }
            Path log;
            try {
                log = logs.create(name);
            } catch (IOException e) {
                throw new TaskStartException("could not create the log file of task " + name + " in " + logs.directory() + ": "
                        + LogDirectory.reason(e) + "; check that the directory exists, is writable and has free "
                        + "space, or choose another one with BackgroundTasks.builder().logDirectory(...)", e);
            }
            String id = LogDirectory.runId(log);
            runningNames.put(name, id);
            launching++;
            return new Reservation(name, id, log);
        }
    }

    /** Lists the task of a reservation: its name stays taken until the task ends. */
    void register(Reservation r, Task task) {
        synchronized (lock) {
            tasks.put(task.id(), task);
            launched();
        }
    }

    /** Gives up a reservation whose start failed: frees the name and deletes the empty log. */
    void cancel(Reservation r) {
        synchronized (lock) {
            runningNames.remove(r.name(), r.id());
            launched();
        }
        logs.delete(r.log());
    }

    private void launched() {
        if (--launching == 0) {
            lock.notifyAll();
        }
    }

    /**
     * Lists a task that the backend kept from an earlier JVM, and keeps new runs from reusing its
     * id, which may log elsewhere.
     *
     * @return whether it was added; {@code false} if a task of that id is known already
     */
    boolean adopt(Task task) {
        Launch l = task.backendTask().launch();
        synchronized (lock) {
            if (tasks.containsKey(l.id())) {
                return false;
            }
            logs.reserveRun(l.name(), l.id());
            runningNames.put(l.name(), l.id());
            tasks.put(l.id(), task);
            return true;
        }
    }

    /**
     * Called once a task has ended: frees its name and trims the finished tasks to the newest
     * ones.
     *
     * @return the tasks dropped from the list, for the backend to release
     */
    List<Task> ended(Task task) {
        List<Task> dropped = new ArrayList<>();
        synchronized (lock) {
            runningNames.remove(task.name(), task.id());
            if (tasks.get(task.id()) == task) {
                finished.add(task);
            }
            for (Iterator<Task> it = tasks.values().iterator(); it.hasNext() && finished.size() > retainFinished; ) {
                Task t = it.next();
                if (finished.remove(t)) {
                    it.remove();
                    dropped.add(t);
                }
            }
        }
        return dropped;
    }

    /**
     * Removes a finished task from the list.
     *
     * @throws IllegalArgumentException if it is not one of this instance's tasks
     * @throws IllegalStateException if it still runs
     */
    Task remove(TaskHandle handle) {
        synchronized (lock) {
            if (handle instanceof QueuedTask q && waiting.contains(q)) {
                if (q.state() == TaskState.QUEUED) {
                    throw new IllegalStateException("task " + q.id() + " is queued; stop it (or its group) before removing it");
                }
                waiting.remove(q);
                return null;
            }
            Task t = tasks.get(handle.id());
            if (t != handle) {
                throw new IllegalArgumentException("task " + handle.id() + " is not one of this instance's tasks");
            }
            if (!t.isDone()) {
                throw new IllegalStateException("task " + handle.id() + " still runs (" + t.state()
                        + "); stop it and wait for onExit() before removing it");
            }
            tasks.remove(handle.id());
            finished.remove(t);
            return t;
        }
    }

    /** The finished tasks of the list, in the order they ended. */
    List<Task> finished() {
        synchronized (lock) {
            return List.copyOf(finished);
        }
    }

    /**
     * Takes finished tasks out of the list.
     *
     * @return those that were still in it, for the caller alone to release and delete
     */
    List<Task> forget(java.util.Collection<Task> gone) {
        List<Task> removed = new ArrayList<>();
        synchronized (lock) {
            for (Task t : gone) {
                if (finished.remove(t) && tasks.remove(t.id(), t)) {
                    removed.add(t);
                }
            }
        }
        return removed;
    }

    /** Lists a task of a group or pipeline as QUEUED until it starts. */
    void queue(QueuedTask t) {
        synchronized (lock) {
            waiting.add(t);
        }
    }

    /**
     * A queued task left its queue: started (its running task is listed instead), or ended without
     * running ({@code keep}), when it stays listed as a finished task, the oldest such dropped
     * beyond the number of finished tasks kept.
     */
    void unqueue(QueuedTask t, boolean keep) {
        synchronized (lock) {
            if (!keep) {
                waiting.remove(t);
                return;
            }
            int ended = 0;
            for (QueuedTask w : waiting) {
                ended += w.running() == null && w.state() != TaskState.QUEUED ? 1 : 0;
            }
            for (Iterator<QueuedTask> it = waiting.iterator(); it.hasNext() && ended > retainFinished; ) {
                QueuedTask w = it.next();
                if (w != t && w.state() != TaskState.QUEUED) {
                    it.remove();
                    ended--;
                }
            }
        }
    }

    /** Running and finished tasks in the order they started, then those that have not run, in queue order. */
    List<TaskHandle> list() {
        synchronized (lock) {
            List<TaskHandle> all = new ArrayList<>(tasks.values());
            all.addAll(waiting);
            return List.copyOf(all);
        }
    }

    /**
     * The running task of that name, else a queued one, else the most recent finished (or
     * skipped) one; or the run of that id.
     */
    Optional<TaskHandle> find(String name) {
        synchronized (lock) {
            String id = runningNames.getOrDefault(name, name);
            if (tasks.containsKey(id)) {
                return Optional.of(tasks.get(id));
            }
            Optional<TaskHandle> queued = waiting.stream().filter(t -> t.name().equals(name)
                    && t.state() == TaskState.QUEUED).findFirst().map(t -> t);
            if (queued.isPresent()) {
                return queued;
            }
            List<TaskHandle> all = new ArrayList<>(tasks.values());
            all.addAll(waiting);
            return all.stream().filter(t -> t.name().equals(name))
                    .max(Comparator.comparing(TaskHandle::startedAt));
        }
    }

    /** The tasks that have not ended. */
    List<Task> running() {
        synchronized (lock) {
            return tasks.values().stream().filter(t -> !t.isDone()).toList();
        }
    }

    /**
     * Refuses new starts from now on and waits for the starts in flight to register or cancel,
     * so that no task starts after the instance's stop of its tasks and outlives it.
     */
    void closeAndAwaitLaunches() {
        synchronized (lock) {
            closed = true;
            while (launching > 0) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    int size() {
        synchronized (lock) {
            return tasks.size();
        }
    }
}
