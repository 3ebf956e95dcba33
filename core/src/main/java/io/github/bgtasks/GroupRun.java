package io.github.bgtasks;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine of one parallel group: a queue, a cap, fail-fast. It owns no thread: tasks start on
 * the thread that starts the group and then on the callback thread that hears a task's end (one
 * thread {@linkplain #pump() pumps} at a time, so tasks start in order); results go out on the
 * instance's callback executor. Decisions are made under {@link #lock}; starts, stops and user
 * code run outside it. A pipeline step is a group too (a task step is a group of one). This class
 * is thread-safe.
 */
final class GroupRun implements TaskGroup {
    private static final Logger LOG = LoggerFactory.getLogger(GroupRun.class);

    private final String name;
    private final int cap;
    private final boolean failFast;
    private final Function<TaskSpec, TaskHandle> starter;
    private final TaskContext ctx;
    private final TaskRegistry registry;
    private final List<QueuedTask> members = new ArrayList<>();
    private final CompletableFuture<GroupResult> result = new CompletableFuture<>();
    private final Object lock = new Object();

    // guarded by lock
    private final ArrayDeque<QueuedTask> queue = new ArrayDeque<>();
    private final TaskResult[] results;
    private final List<TaskResult> heard = new ArrayList<>(); // results already handed to the listeners
    private final List<CompletionListener> listeners = new ArrayList<>();
    private long startNanos;
    private boolean pumping;
    private boolean stopping;
    private boolean stoppedByUser;
    private String skipReason;
    private QueuedTask launching; // the task being started now, counted as running
    private final Set<QueuedTask> stopRequested = new HashSet<>(); // stopped while being started

    /** Creates the group's tasks, not yet queued: see {@link #enqueue()} and {@link #pump()}. */
    GroupRun(GroupSpec spec, Function<TaskSpec, TaskHandle> starter, TaskContext ctx, TaskRegistry registry) {
        this.name = spec.name();
        this.cap = spec.maxParallel().orElse(Integer.MAX_VALUE);
        this.failFast = spec.failFast();
        this.starter = starter;
        this.ctx = ctx;
        this.registry = registry;
        for (int i = 0; i < spec.tasks().size(); i++) {
            members.add(new QueuedTask(this, spec.tasks().get(i).withName(spec.taskNames().get(i)), ctx.clock().instant()));
        }
        this.results = new TaskResult[members.size()];
        this.startNanos = ctx.ticker().read();
    }

    /** Puts every task in the queue, and in the instance's list as QUEUED. */
    void enqueue() {
        synchronized (lock) {
            queue.addAll(members);
        }
        members.forEach(registry::queue);
    }

    /** Starts the group: the first tasks up to the cap. */
    GroupRun begin() {
        synchronized (lock) {
            startNanos = ctx.ticker().read();
        }
        pump();
        return this;
    }

    /**
     * Starts queued tasks while there is room. One thread pumps at a time: another that finds it
     * busy leaves, as the pumping one looks at the queue again after each start.
     */
    private void pump() {
        synchronized (lock) {
            if (pumping) {
                return;
            }
            pumping = true;
        }
        while (true) {
            QueuedTask next;
            synchronized (lock) {
                if (stopping || queue.isEmpty() || running() >= cap) {
                    pumping = false;
                    return;
                }
                next = queue.poll();
                launching = next;
            }
            try {
                launch(next);
            } catch (RuntimeException | Error e) { // a bug of ours: leave the group able to pump again
                synchronized (lock) {
                    pumping = false;
                    launching = null;
                }
                throw e;
            }
        }
    }

    /** How many tasks run: started and not ended, plus the one being started. */
    private int running() {
        int n = launching != null ? 1 : 0;
        for (int i = 0; i < members.size(); i++) {
            if (results[i] == null && members.get(i).running() != null) {
                n++;
            }
        }
        return n;
    }

    private void launch(QueuedTask member) {
        TaskHandle task;
        try {
            task = starter.apply(member.spec());
        } catch (RuntimeException | Error e) { // the task fails, the group goes on: it must end
            String why;
            synchronized (lock) {
                launching = null;
                stopRequested.remove(member);
                why = stopping ? skipReason : null;
            }
            registry.unqueue(member, true);
            if (why != null) { // stopped (or the instance closed) while it was being started
                ended(member, TaskResult.notRun(member.name(), member.name(), TaskState.SKIPPED, why, ctx.clock().instant()));
                return;
            }
            LOG.warn("group {}: task {} could not start: {}", name, member.name(), e.getMessage());
            ended(member, TaskResult.notRun(member.name(), member.name(), TaskState.FAILED,
                    "could not start: " + e.getMessage(), ctx.clock().instant()));
            return;
        }
        boolean stopNow;
        synchronized (lock) {
            member.started(task);
            launching = null;
            stopNow = stopping || stopRequested.remove(member);
        }
        registry.unqueue(member, false);
        member.announceStart();
        // onExit, not a listener: a task with a restart policy ends when its restarting does
        task.onExit().thenAccept(r -> ended(member, r));
        if (stopNow) {
            task.stop(); // the group or the task was stopped while it was being started
        }
    }

    /** Records a task's end, tells its listeners and the group's, then fails fast or starts the next. */
    private void ended(QueuedTask member, TaskResult r) {
        List<QueuedTask> skip = List.of();
        List<TaskHandle> stop = List.of();
        synchronized (lock) {
            int i = members.indexOf(member);
            if (results[i] != null) {
                return;
            }
            results[i] = r;
            if (failFast && !stopping && isFailure(r.state())) {
                stopping = true;
                skipReason = "group " + name + " failed fast: " + r.name() + " " + r.state();
                skip = drainQueue();
                stop = runningTasks();
            }
        }
        hear(member, r);
        skipAll(skip);
        stop.forEach(TaskHandle::stop);
        pump();
    }

    private static boolean isFailure(TaskState s) {
        return s == TaskState.FAILED || s == TaskState.TIMED_OUT || s == TaskState.LOST;
    }

    private List<QueuedTask> drainQueue() {
        List<QueuedTask> all = new ArrayList<>(queue);
        queue.clear();
        return all;
    }

    private List<TaskHandle> runningTasks() {
        List<TaskHandle> out = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            TaskHandle t = members.get(i).running();
            if (results[i] == null && t != null) {
                out.add(t);
            }
        }
        return out;
    }

    private void skipAll(List<QueuedTask> skip) {
        String why;
        synchronized (lock) {
            why = skipReason;
        }
        for (QueuedTask m : skip) {
            registry.unqueue(m, true);
            ended(m, TaskResult.notRun(m.name(), m.name(), TaskState.SKIPPED, why, ctx.clock().instant()));
        }
    }

    /** The member's listeners, then the group's, on the callback executor; then maybe the group's end. */
    private void hear(QueuedTask member, TaskResult r) {
        Runnable own = member.complete(r);
        deliver(() -> {
            if (own != null) {
                own.run();
            }
            List<CompletionListener> ls;
            boolean last;
            synchronized (lock) {
                heard.add(r);
                ls = List.copyOf(listeners);
                last = heard.size() == members.size();
            }
            ls.forEach(l -> call(l, r));
            if (last) {
                finish();
            }
        });
    }

    private void finish() {
        GroupResult g;
        synchronized (lock) {
            g = new GroupResult(name, List.of(results), Duration.ofNanos(ctx.ticker().read() - startNanos), stoppedByUser);
        }
        LOG.debug("group {} ended: {}", name, g.state());
        result.complete(g);
    }

    private void call(CompletionListener l, TaskResult r) {
        try {
            l.onComplete(r);
        } catch (RuntimeException | Error e) {
            LOG.warn("completion listener {} of group {} failed on task {}", l, name, r.id(), e);
        }
    }

    void deliver(Runnable work) {
        ctx.threads().deliver(work);
    }

    /**
     * Takes one queued task out of the queue: it ends SKIPPED. A task being started is stopped once
     * its start returns; a started one is not this method's business.
     */
    void skipQueued(QueuedTask member) {
        synchronized (lock) {
            if (member == launching) {
                stopRequested.add(member); // being started: stopped as soon as its start returns
                return;
            }
            if (!queue.remove(member)) {
                return;
            }
        }
        registry.unqueue(member, true);
        ended(member, TaskResult.notRun(member.name(), member.name(), TaskState.SKIPPED,
                "stopped before it started", ctx.clock().instant()));
    }

    /**
     * Skips every task of a group that never started (a pipeline's later step); or, for a
     * running group, stops it.
     */
    void cancel(String reason, boolean stopRunning) {
        List<QueuedTask> skip;
        List<TaskHandle> stop;
        synchronized (lock) {
            if (stopRunning) {
                stoppedByUser = true;
            }
            if (!stopping) {
                stopping = true;
                skipReason = reason;
            }
            skip = drainQueue();
            stop = stopRunning ? runningTasks() : List.of();
        }
        skipAll(skip);
        stop.forEach(TaskHandle::stop);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<TaskHandle> tasks() {
        return List.copyOf(members);
    }

    /** @return the group's tasks as the engine sees them */
    List<QueuedTask> members() {
        return members;
    }

    @Override
    public TaskGroup addListener(CompletionListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        List<TaskResult> replay;
        synchronized (lock) {
            listeners.add(listener);
            replay = List.copyOf(heard);
        }
        if (!replay.isEmpty()) {
            deliver(() -> replay.forEach(r -> call(listener, r)));
        }
        return this;
    }

    @Override
    public CompletableFuture<GroupResult> onExit() {
        return result.copy();
    }

    @Override
    public CompletableFuture<GroupResult> stop() {
        cancel("group " + name + " was stopped", true);
        return onExit();
    }

    @Override
    public void close() {
        stop().join();
    }

    @Override
    public String toString() {
        synchronized (lock) {
            long ended = java.util.Arrays.stream(results).filter(Objects::nonNull).count();
            return "TaskGroup{" + name + ", " + ended + " of " + members.size() + " ended, " + queue.size() + " queued}";
        }
    }
}
