package io.github.bgtasks;

import io.github.bgtasks.health.AlertListener;
import io.github.bgtasks.health.HealthCheck;
import io.github.bgtasks.health.Hints;
import io.github.bgtasks.health.RestartPolicy;
import io.github.bgtasks.internal.Durations;
import io.github.bgtasks.internal.Text;
import io.github.bgtasks.internal.watch.FileWatcher;
import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.Launch;
import io.github.bgtasks.spi.LogStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point: starts tasks in the background and keeps track of them.
 *
 * <pre>{@code
 * try (BackgroundTasks tasks = BackgroundTasks.builder()
 *         .backend(ProcessBackend.create())
 *         .logDirectory(Path.of("build/bgtasks"))
 *         .build()) {
 *     TaskHandle build = tasks.start(TaskSpec.builder("npm", "run", "build").name("build-main").build());
 *     build.addListener(result -> System.out.println(result.summary()));
 *     TaskResult r = build.onExit().join();
 * }
 * }</pre>
 *
 * <p>Defaults: the backend with the lowest priority found on the class path (the process
 * backend); log directory {@code <java.io.tmpdir>/bgtasks-<user.name>}; stop grace period
 * 10 s; on {@link #close()}, tasks are stopped unless the backend keeps tasks by default
 * (tmux); the 1,000 most recent finished tasks are kept in {@link #list()}; warnings are lines
 * matching {@value #DEFAULT_WARNING}, errors lines matching {@value #DEFAULT_ERROR}.
 *
 * <p>Threads: one scheduler thread for all timeouts and grace periods, and a small pool (up
 * to four daemon threads, created on demand) that takes each task's end from the backend's
 * thread and runs its listeners, so that no user code ever runs on a backend's thread. All are
 * shared by all tasks; the scheduler and the listener pool can be replaced. With a callback
 * executor of your own, one event thread ({@code bgtasks-events}, created on demand) takes the
 * ends from the backend's thread and hands them to your executor; with a direct one
 * ({@code Runnable::run}), listeners run on the event thread: they may start tasks, but a
 * listener that blocks delays the ends of other tasks. One JVM shutdown hook, shared by all
 * instances, closes those that were not closed. Tasks in {@linkplain TaskSpec.Builder#watch watch
 * mode} share one file-watching thread per instance ({@code bgtasks-watch}), started with the first.
 *
 * <p>This class is thread-safe.
 */
public final class BackgroundTasks implements AutoCloseable {
    /** The default warning pattern. */
    public static final String DEFAULT_WARNING = "(?i)\\bwarn(ing)?\\b";
    /** The default error pattern. */
    public static final String DEFAULT_ERROR = "(?i)\\b(error|fatal|panic)\\b|exception\\b";

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundTasks.class);
    private static BackgroundTasks shared; // guarded by BackgroundTasks.class

    // The parts, each owning its state: this class only puts them together.
    private final Backend backend;
    private final LogStore logs;
    private final TaskRegistry registry;
    private final Janitor janitor;
    private final FileWatcher watcher;
    private final java.util.Set<RestartingTask> restarting = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final EngineThreads threads;
    private final CheckEngine health;
    private final Compositions compositions;
    private final TaskContext context;
    private final Delays delays;
    private final Duration stopGracePeriod;
    private final boolean stopTasksOnClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    private BackgroundTasks(Builder b) {
        // The local directory is checked before a default backend is created, so that a bad
        // directory starts no helper; a backend that keeps logs elsewhere supplies its own store.
        LogStore local = b.backend == null ? LogDirectory.open(b.logDirectory) : null;
        this.backend = b.backend != null ? b.backend : BackendLookup.load();
        this.logs = backend.logStore(b.logDirectory)
                .orElseGet(() -> local != null ? local : LogDirectory.open(b.logDirectory));
        this.delays = b.delays != null ? b.delays : Delays.DEFAULT;
        this.stopGracePeriod = b.stopGracePeriod != null ? b.stopGracePeriod : delays.defaultStopGrace();
        this.stopTasksOnClose = b.stopTasksOnClose != null ? b.stopTasksOnClose : !backend.keepsTasksOnClose();
        this.threads = new EngineThreads(b.scheduler, b.callbackExecutor, delays);
        this.registry = new TaskRegistry(logs, b.retainFinished != null ? b.retainFinished
                : b.retention != null ? Integer.MAX_VALUE : 1000);
        Clock clock = b.clock != null ? b.clock : Clock.systemUTC();
        this.janitor = new Janitor(b.retention, registry, logs, clock);
        LogScan logScan = new LogScan(b.warning != null ? b.warning : Pattern.compile(DEFAULT_WARNING),
                b.error != null ? b.error : Pattern.compile(DEFAULT_ERROR), logs::read);
        this.context = new TaskContext(backend.name(), clock, b.ticker != null ? b.ticker : Ticker.SYSTEM, threads,
                logs, logScan, task -> {
                    registry.ended(task).forEach(Task::release);
                    janitor.afterEnd();
                }, b.hints != null ? b.hints : Hints.defaults());
        this.health = new CheckEngine(threads, b.alertListeners, b.healthChecks, delays.idleThreadKeepAlive());
        this.watcher = new FileWatcher(threads::schedule, context.ticker()::read);
        this.compositions = new Compositions(spec -> start(spec), context, registry, health);
        ShutdownHook.register(this);
        adoptDiscovered();
    }

    /**
     * Starts configuring an instance.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the shared default instance, created on first use with default settings and
     * closed by the JVM's shutdown hook.
     *
     * @return the shared instance
     */
    public static synchronized BackgroundTasks shared() {
        if (shared == null) {
            shared = builder().build();
        }
        return shared;
    }

    /**
     * Starts a named task on the {@link #shared()} instance: the shortest way to run a command
     * in the background.
     *
     * @param name the task's name
     * @param argv the program, then its arguments (no shell)
     * @return the started task
     * @throws IllegalArgumentException if the name, program or arguments are invalid
     * @throws TaskStartException if the backend could not start it
     */
    public static TaskHandle start(String name, String... argv) {
        return shared().start(TaskSpec.builder(argv).name(name).build());
    }

    /**
     * Starts a task. Returns once its process runs.
     *
     * @param spec what to run
     * @return the started task
     * @throws IllegalArgumentException if the working directory is missing or not a directory,
     *     the program cannot be found or executed (as the backend sees them: on this machine for
     *     the local backends), a task of that name is already running, or a path it
     *     {@linkplain TaskSpec.Builder#watch watches} does not exist; the message names the bad value
     * @throws IllegalStateException if this instance is closed
     * @throws TaskStartException if the arguments or the task's complete environment (the
     *     backend's base environment, by default the JVM's, with the spec's changes) are larger
     *     than Linux passes ("Argument list too long", see {@link TaskSpec}), the log file could
     *     not be created or written (the log directory is gone or read-only, its file system is
     *     full...), or the backend could not start the task; the message names the task, the
     *     entry, path or command, and the cause; nothing is left running or registered, also
     *     when the calling thread is interrupted during the start
     */
    public TaskHandle start(TaskSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        if (spec.restart() == RestartPolicy.never() && spec.watch().isEmpty() && !health.restarts(spec.healthChecks())) {
            return launch(spec, t -> { });
        }
        requireOpen();
        RestartingTask chain = new RestartingTask(this::launch, spec, context);
        // The watch first: a path that is not there is refused before anything starts.
        FileWatcher.Registration watch = spec.watch().map(w -> watcher.watch(w, logs.directory(), chain::filesChanged))
                .orElse(null);
        restarting.add(chain);
        chain.beforeExit(() -> { // before onExit() completes: a stop().get() sees the watching ended
            restarting.remove(chain);
            if (watch != null) {
                watch.close();
            }
        });
        try {
            return chain.start();
        } catch (RuntimeException | Error e) {
            restarting.remove(chain);
            if (watch != null) {
                watch.close();
            }
            throw e;
        }
    }

    /** The file watcher of watch mode; for tests. */
    FileWatcher watcher() {
        return watcher;
    }

    /**
     * Describes a parallel group that {@link GroupSpec#start()} starts on this instance:
     * {@code tasks.group("checks").maxParallel(2).add(a).add(b).start()}.
     *
     * @param name the group's name: 1 to 64 letters, digits, {@code _} and {@code -}
     * @return an empty group
     * @throws IllegalArgumentException if the name has other characters
     */
    public GroupSpec group(String name) {
        return GroupSpec.named(name, compositions::start);
    }

    /**
     * Starts a parallel group: its tasks in the order added, up to its cap at once; the others
     * wait {@link TaskState#QUEUED} in {@link #list()}. Returns once the first tasks have started.
     * A task that cannot start ends {@link TaskState#FAILED}, with the reason in its result.
     *
     * @param group the group
     * @return the running group
     * @throws IllegalArgumentException if the group has no tasks
     * @throws IllegalStateException if this instance is closed
     */
    public TaskGroup start(GroupSpec group) {
        return compositions.start(group);
    }

    /**
     * Runs a pipeline: its steps one after another, each started when the one before has
     * succeeded (or failed, if marked {@link Pipeline#continueOnFailure()}). All its tasks are in
     * {@link #list()} from the start, {@link TaskState#QUEUED} until their step runs. Returns once
     * the first step has started.
     *
     * @param pipeline the pipeline
     * @return the running pipeline
     * @throws IllegalArgumentException if the pipeline has no steps
     * @throws IllegalStateException if this instance is closed
     */
    public PipelineHandle run(Pipeline pipeline) {
        return compositions.run(pipeline);
    }

    /** Starts one run; {@code prepare} sees the task once registered, before its end is watched. */
    private Task launch(TaskSpec spec, java.util.function.Consumer<Task> prepare) {
        requireOpen();
        StartChecks.Checked checked = StartChecks.check(spec, backend);
        TaskRegistry.Reservation r = registry.reserve(spec.name().orElse(null), spec.argv().get(0));
        BackendTask started = null;
        boolean registered = false;
        try {
            Launch launch = Launch.builder(r.id(), r.name(), spec.argv())
                    .workingDirectory(checked.workingDirectory())
                    .environment(checked.environment())
                    .logFile(r.log())
                    .startedAt(context.clock().instant())
                    .timeout(spec.timeout().orElse(null))
                    .stopGracePeriod(spec.stopGracePeriod().orElse(stopGracePeriod))
                    .build();
            try {
                started = backend.launch(launch);
            } catch (IOException | RuntimeException e) {
                throw new TaskStartException("could not start task " + r.name() + " " + Text.command(spec.argv())
                        + " in " + Text.abbreviate(checked.workingDirectory().toString(), Text.MAX_VALUE) + " with the "
                        + backend.name() + " backend: " + Text.abbreviate(String.valueOf(e.getMessage()), 1000), e);
            }
            Task task = new Task(context, started);
            Supervisor supervisor = health.supervise(new TaskTarget(task, context), health.checksFor(spec.healthChecks()),
                    spec.readiness().orElse(null), spec.readinessDeadline().orElse(null));
            task.supervise(supervisor);
            registry.register(r, task);
            registered = true;
            prepare.accept(task);
            task.watch();
            supervisor.start();
            return task;
        } catch (RuntimeException | Error e) {
            // Whatever failed (an interrupt, an error of the backend, of ours), nothing stays
            // registered, and a process that did start is not left running unwatched.
            if (!registered) {
                if (started != null) {
                    killQuietly(started, e);
                }
                registry.cancel(r);
            }
            throw e;
        }
    }

    private void killQuietly(BackendTask started, Throwable why) {
        try {
            started.kill();
        } catch (IOException | RuntimeException e) {
            why.addSuppressed(e);
        }
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this BackgroundTasks is closed; build a new one to start tasks");
        }
    }

    /**
     * Lists every task this instance knows, running or finished, oldest first. With a backend
     * whose tasks outlive the JVM (tmux), this includes tasks that an earlier JVM started. Tasks
     * of groups and pipelines that wait their turn are listed {@link TaskState#QUEUED} (no pid, no
     * log, the id is the name, the start time is when they were queued), and those that never ran
     * stay listed {@link TaskState#SKIPPED}, both after the tasks that ran, in the order they were
     * queued; once one starts, its running task is listed instead.
     * Each handle's {@code toString()} is a one-line status: id, state, health when the task has
     * checks (with the unhealthy checks and what they saw), and command.
     *
     * @return a snapshot of the tasks
     */
    public List<TaskHandle> list() {
        return registry.list();
    }

    /**
     * Finds a task by name: the running task of that name, else a queued one (of a group or
     * pipeline), else the most recent finished or skipped one.
     *
     * @param name the task's name (or a run's id, such as {@code build-main.3})
     * @return the task, or empty
     */
    public Optional<TaskHandle> find(String name) {
        Objects.requireNonNull(name, "name must not be null");
        return registry.find(name);
    }

    /**
     * Forgets a finished task: it leaves {@link #list()} and its backend drops what it kept
     * about it. The log file stays.
     *
     * @param task a finished task of this instance
     * @throws IllegalStateException if the task still runs
     * @throws IllegalArgumentException if the task is not one of this instance's
     */
    public void remove(TaskHandle task) {
        Objects.requireNonNull(task, "task must not be null");
        Task t = registry.remove(task);
        if (t != null) { // null: a group's task that never ran, which the backend never saw
            t.release();
        }
    }

    /**
     * Removes finished tasks now, as the {@linkplain Builder#retention(Retention) retention}
     * says; with no retention, every finished task. Each goes from {@link #list()}, its backend
     * forgets it (tmux: its state directory goes) and its log file is deleted. Running tasks and
     * their logs are never touched.
     *
     * @return the ids of the removed runs, in the order they ended
     */
    public List<String> clean() {
        return janitor.clean();
    }

    /**
     * Closes this instance: stops its running tasks (SIGTERM, the grace period, then SIGKILL)
     * and waits for them, unless it was built to leave them running; then releases the
     * backend and the instance's own threads. Calling it again does nothing. Closing is not
     * required for the JVM to exit: the threads are daemons and a shutdown hook closes the
     * instance.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ShutdownHook.unregister(this);
        compositions.close(); // no queued task of a group or pipeline starts after this
        for (RestartingTask chain : restarting) {
            chain.end(false, false); // no run starts after this; the runs are stopped (or left) below
        }
        registry.closeAndAwaitLaunches(); // so that no task starts after the stop below and outlives the instance
        if (stopTasksOnClose) {
            stopAll();
        }
        try {
            backend.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the {} backend failed", backend.name(), e);
        }
        watcher.close();
        health.shutdown();
        threads.shutdown();
    }

    private void stopAll() {
        List<Task> running = registry.running();
        if (running.isEmpty()) {
            return;
        }
        Duration longestGrace = Duration.ZERO;
        List<CompletableFuture<TaskResult>> ends = new ArrayList<>();
        for (Task t : running) {
            ends.add(t.stop());
            Duration g = t.backendTask().launch().stopGracePeriod();
            longestGrace = g.compareTo(longestGrace) > 0 ? g : longestGrace;
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new));
        try {
            all.get(longestGrace.plus(delays.killWait()).toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            LOG.warn("tasks still running {} after SIGKILL; giving up on them", running.stream()
                    .filter(t -> !t.isDone()).map(Task::id).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // the futures never fail
        }
    }

    private void adoptDiscovered() {
        List<BackendTask> found;
        try {
            found = backend.discover();
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not look for tasks that the {} backend kept from earlier runs", backend.name(), e);
            return;
        }
        List<Task> endedMeanwhile = new ArrayList<>();
        for (BackendTask b : found) {
            Task task = new Task(context, b);
            Supervisor supervisor = health.supervise(new TaskTarget(task, context), health.checksForAdopted(), null, null);
            task.supervise(supervisor);
            if (registry.adopt(task)) {
                task.watch();
                supervisor.start();
                if (b.exit().isDone()) {
                    endedMeanwhile.add(task);
                }
            } else {
                LOG.warn("the {} backend found two tasks with id {}; keeping the first", backend.name(), task.id());
            }
        }
        // Their end is handed over to the engine's thread: wait for it, so that the first list()
        // shows a task that ended while no JVM watched as ended, not as running.
        for (Task t : endedMeanwhile) {
            try {
                t.onExit().get(delays.killWait().toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                LOG.debug("task {} found ended, not yet recorded as ended", t.id(), e);
            }
        }
    }

    /**
     * Returns the log directory in use: absolute, and the target if the configured path is a
     * symbolic link.
     *
     * @return the log directory
     */
    public Path logDirectory() {
        return logs.directory();
    }

    @Override
    public String toString() {
        return "BackgroundTasks{" + backend.name() + " backend, logs in " + logs.directory() + ", " + registry.size() + " tasks}";
    }

    /**
     * Configures a {@link BackgroundTasks}. Each option may be set once. This class is not
     * thread-safe.
     */
    public static final class Builder {
        private Backend backend;
        private Path logDirectory;
        private Duration stopGracePeriod;
        private Boolean stopTasksOnClose;
        private ScheduledExecutorService scheduler;
        private Executor callbackExecutor;
        private Clock clock;
        private Pattern warning;
        private Pattern error;
        private Integer retainFinished;
        private Retention retention;
        private Ticker ticker;
        private Delays delays;
        private Hints hints;
        private final List<AlertListener> alertListeners = new ArrayList<>();
        private final List<HealthCheck> healthChecks = new ArrayList<>();

        private Builder() {
        }

        private static <T> T once(T current, T value, String what) {
            Objects.requireNonNull(value, what + " must not be null");
            if (current != null) {
                throw new IllegalStateException(what + " was already set to " + current);
            }
            return value;
        }

        /**
         * Sets the backend that runs the tasks, such as {@code ProcessBackend.create()}. The
         * instance closes it when it is closed.
         *
         * @param backend the backend
         * @return this builder
         */
        public Builder backend(Backend backend) {
            this.backend = once(this.backend, backend, "backend");
            return this;
        }

        /**
         * Sets where log files go. Each run gets {@code <name>.<n>.log}, readable by the owner
         * only. A missing directory is created {@code rwx------}. An existing one must belong
         * to the user the JVM runs as and must not be writable by group or others: whoever can
         * write to it could replace a new log with a FIFO or a link. {@link #build()} checks it.
         *
         * @param dir the directory
         * @return this builder
         */
        public Builder logDirectory(Path dir) {
            this.logDirectory = once(this.logDirectory, dir, "log directory");
            return this;
        }

        /**
         * Sets how long a stop or a timeout waits after SIGTERM before it sends SIGKILL.
         *
         * @param grace a positive duration; default 10 s
         * @return this builder
         */
        public Builder stopGracePeriod(Duration grace) {
            this.stopGracePeriod = once(this.stopGracePeriod, Durations.requirePositive(grace, "stop grace period"),
                    "stop grace period");
            return this;
        }

        /**
         * Chooses whether {@link #close()} stops running tasks ({@code true}) or leaves them
         * running ({@code false}). Default: stop them, unless the backend keeps tasks (tmux).
         *
         * @param stop whether to stop tasks on close
         * @return this builder
         */
        public Builder stopTasksOnClose(boolean stop) {
            this.stopTasksOnClose = once(this.stopTasksOnClose, stop, "stop tasks on close");
            return this;
        }

        /**
         * Sets the scheduler for timeouts and grace periods, primarily for tests. The
         * instance does not shut down a scheduler it was given.
         *
         * @param scheduler the scheduler
         * @return this builder
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = once(this.scheduler, scheduler, "scheduler");
            return this;
        }

        /**
         * Sets the executor that completes {@code onExit()} futures and runs listeners. The
         * instance does not shut down an executor it was given.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder callbackExecutor(Executor executor) {
            this.callbackExecutor = once(this.callbackExecutor, executor, "callback executor");
            return this;
        }

        /**
         * Sets the clock for start times, primarily for tests. Durations and timers are measured
         * with {@link System#nanoTime()}, so they never go backwards.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = once(this.clock, clock, "clock");
            return this;
        }

        /**
         * Sets the pattern that marks a line of output as a warning ({@code find}, not a
         * whole-line match).
         *
         * @param pattern the pattern
         * @return this builder
         */
        public Builder warningPattern(Pattern pattern) {
            this.warning = once(this.warning, pattern, "warning pattern");
            return this;
        }

        /**
         * Sets the pattern that marks a line of output as an error ({@code find}). A line
         * that is an error is not also counted as a warning.
         *
         * @param pattern the pattern
         * @return this builder
         */
        public Builder errorPattern(Pattern pattern) {
            this.error = once(this.error, pattern, "error pattern");
            return this;
        }

        /**
         * Sets how many finished tasks {@link #list()} keeps; older ones are removed from it, and
         * their logs stay. For removing logs too, use {@link #retention(Retention)} instead.
         *
         * @param count at least 0; default 1,000
         * @return this builder
         */
        public Builder retainFinished(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("retained finished tasks must be at least 0, was " + count);
            }
            this.retainFinished = once(this.retainFinished, count, "retained finished tasks");
            conflict();
            return this;
        }

        /**
         * Removes finished tasks, their logs and their backend state by age, count and total
         * size of logs; see {@link Retention}. Without it, finished tasks are only dropped from
         * {@link #list()} beyond {@link #retainFinished(int)}, and their logs stay.
         *
         * @param retention the limits
         * @return this builder
         * @throws IllegalStateException if set before, or with {@link #retainFinished(int)}
         */
        public Builder retention(Retention retention) {
            this.retention = once(this.retention, retention, "retention");
            conflict();
            return this;
        }

        private void conflict() {
            if (retention != null && retainFinished != null) {
                throw new IllegalStateException("retainFinished(" + retainFinished + ") and retention(" + retention
                        + ") both limit the finished tasks; use Retention.builder().maxCount(" + retainFinished + ") alone");
            }
        }

        /**
         * Sets the source of nanoseconds for durations and timers; primarily for tests in virtual
         * time, together with {@link #clock(Clock)} and {@link #scheduler(ScheduledExecutorService)}
         * (the testkit's {@code FakeTicker} and {@code FakeScheduler}). Default: {@link Ticker#SYSTEM}.
         *
         * @param ticker the ticker
         * @return this builder
         * @throws IllegalStateException if the ticker was already set
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = once(this.ticker, ticker, "ticker");
            return this;
        }

        /**
         * Adds a listener for the alerts of every task of the instance: checks turning unhealthy
         * or healthy again, and failed tasks (failed, timed out or lost; not stopped). Listeners
         * add up; they run on the callback executor, before the task's own listeners, and one
         * that throws is logged and harms nothing else.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder alertListener(AlertListener listener) {
            alertListeners.add(Objects.requireNonNull(listener, "alert listener must not be null"));
            return this;
        }

        /**
         * Adds a health check to every task of the instance: each task started here, and each
         * task of an earlier JVM that the backend finds again, gets its own copy of the check,
         * with its own counters, health and alerts (such as {@code newErrors()} or a memory limit
         * for every task). A task's own check of the same name replaces it for that task, so a
         * task can tune or (with a longer period) quieten an instance-wide check. The instance's
         * checks run after the task's own ones, in the order they were added; a check's
         * {@link HealthCheck#onUnhealthy(HealthCheck.Action) action} applies to every task started
         * here; on a task of an earlier JVM, {@code RESTART} only alerts (there is no spec to
         * start it again from).
         *
         * @param check the check, such as {@code HealthCheck.newErrors().every(Duration.ofMinutes(5))}
         * @return this builder
         * @throws IllegalArgumentException if a check of the same name was added
         */
        public Builder healthCheck(HealthCheck check) {
            Objects.requireNonNull(check, "health check must not be null");
            if (healthChecks.stream().anyMatch(c -> c.name().equals(check.name()))) {
                throw new IllegalArgumentException("an instance-wide health check named '" + check.name()
                        + "' was already added; each check needs its own name");
            }
            healthChecks.add(check);
            return this;
        }

        /**
         * Sets the table of known causes behind {@link TaskResult#hint()} and alerts' hints,
         * such as {@code Hints.defaults().with(myHint)}. Default: {@link Hints#defaults()}.
         *
         * @param hints the hints
         * @return this builder
         */
        public Builder hints(Hints hints) {
            this.hints = once(this.hints, hints, "hints");
            return this;
        }

        /** Sets the waits that are not public options; for tests. */
        Builder delays(Delays delays) {
            this.delays = once(this.delays, delays, "delays");
            return this;
        }

        /**
         * Builds the instance. With a backend whose tasks outlive the JVM, tasks of earlier
         * runs are found now and appear in {@link #list()}.
         *
         * @return the instance
         * @throws IllegalArgumentException if the log directory cannot be created, is not a
         *     directory, belongs to another user or can be written by group or others; the
         *     message says how to fix it
         * @throws IllegalStateException if the same is true of the default log directory, or no
         *     backend was given and none is on the class path
         */
        public BackgroundTasks build() {
            try {
                return new BackgroundTasks(this);
            } catch (RuntimeException | Error e) {
                if (backend != null) {
                    try {
                        backend.close(); // it was handed over to the instance that now does not exist
                    } catch (RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
        }
    }
}
