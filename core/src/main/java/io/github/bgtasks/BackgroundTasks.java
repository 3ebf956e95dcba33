package io.github.bgtasks;

import io.github.bgtasks.internal.Durations;
import io.github.bgtasks.internal.Text;
import io.github.bgtasks.internal.posix.Executables;

import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.spi.BackendProvider;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>Threads: one scheduler thread for all timeouts and grace periods; one event thread
 * ({@code bgtasks-events}, created on demand) that takes each task's end from the backend's
 * thread, so that no user code ever runs on a backend's thread; and a small pool (up to four
 * daemon threads, created on demand) that runs listeners. All are shared by all tasks; the
 * scheduler and the listener pool can be replaced. With a direct callback executor
 * ({@code Runnable::run}), listeners run on the event thread: they may start tasks, but a
 * listener that blocks delays the ends of other tasks. A JVM shutdown hook closes the instance
 * if it was not closed.
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

    private final Backend backend;
    private final LogDirectory logs;
    private final Duration stopGracePeriod;
    private final boolean stopTasksOnClose;
    private final ScheduledExecutorService scheduler;
    private final Executor callbackExecutor;
    // Exits are handed over to this thread, so no listener, future or log check ever runs on a
    // backend's thread (a listener that starts a task there would wait for that very thread).
    private final ThreadPoolExecutor events;
    private final boolean ownsScheduler;
    private final boolean ownsCallbackExecutor;
    private final Clock clock;
    private final LogScan logScan;
    private final int retainFinished;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger autoNames = new AtomicInteger();

    // guarded by itself
    private final LinkedHashMap<String, Task> tasks = new LinkedHashMap<>();
    // guarded by tasks: name -> id of the task that runs under it
    private final Map<String, String> runningNames = new HashMap<>();
    // guarded by tasks: how many of the tasks have ended
    private int finished;
    // guarded by tasks: starts between their check of closed and their registration
    private int launching;

    private BackgroundTasks(Builder b) {
        // Checked before a default backend is created, so that a bad directory starts no helper.
        this.logs = LogDirectory.open(b.logDirectory);
        this.backend = b.backend != null ? b.backend : defaultBackend();
        this.stopGracePeriod = b.stopGracePeriod != null ? b.stopGracePeriod : Duration.ofSeconds(10);
        this.stopTasksOnClose = b.stopTasksOnClose != null ? b.stopTasksOnClose : !backend.keepsTasksOnClose();
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = ownsScheduler ? newScheduler() : b.scheduler;
        this.ownsCallbackExecutor = b.callbackExecutor == null;
        this.callbackExecutor = ownsCallbackExecutor ? newCallbackPool() : b.callbackExecutor;
        this.events = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemon("bgtasks-events"));
        events.allowCoreThreadTimeOut(true);
        this.clock = b.clock != null ? b.clock : Clock.systemUTC();
        this.logScan = new LogScan(b.warning != null ? b.warning : Pattern.compile(DEFAULT_WARNING),
                b.error != null ? b.error : Pattern.compile(DEFAULT_ERROR));
        this.retainFinished = b.retainFinished != null ? b.retainFinished : 1000;
        this.shutdownHook = new Thread(this::closeFromHook, "bgtasks-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
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
     *     the program cannot be found or executed, or a task of that name is already running;
     *     the message names the bad value
     * @throws IllegalStateException if this instance is closed
     * @throws TaskStartException if the arguments or the task's complete environment (the
     *     JVM's, with the spec's changes) are larger than Linux passes ("Argument list too long",
     *     see {@link TaskSpec}), the log file could not be created or written (the log
     *     directory is gone or read-only, its file system is full...), or the backend could not
     *     start the task; the message names the task, the entry, path or command, and the
     *     cause; nothing is left running
     */
    public TaskHandle start(TaskSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        requireOpen();
        Path dir = spec.workingDirectory().orElse(Path.of("")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("working directory " + dir
                    + (Files.exists(dir) ? " is not a directory" : " does not exist"));
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(spec.environment());
        // Here, not in the spec: the complete environment exists only now.
        String who = spec.name().orElse(Text.abbreviate(spec.argv().get(0), Text.MAX_VALUE));
        ExecLimits.checkSizes(who, spec.argv(), env);
        Executables.check(spec.argv().get(0), dir, env.get("PATH"));

        String name = spec.name().orElse(null);
        Path log;
        String id;
        synchronized (tasks) {
            requireOpen(); // checked again under the lock that close() takes to wait for launches
            name = name != null ? name : autoName(spec.argv().get(0));
            String running = runningNames.get(name);
            if (running != null) {
                throw new IllegalArgumentException("a task named '" + name + "' is already running (" + running
                        + "); choose another name, or stop that task first");
            }
            try {
                log = logs.create(name);
            } catch (IOException e) {
                throw new TaskStartException("could not create the log file of task " + name + " in " + logs + ": "
                        + LogDirectory.reason(e) + "; check that the directory exists, is writable and has free "
                        + "space, or choose another one with BackgroundTasks.builder().logDirectory(...)", e);
            }
            id = stem(log);
            runningNames.put(name, id);
            launching++;
        }
        Launch launch = Launch.builder(id, name, spec.argv())
                .workingDirectory(dir)
                .environment(env)
                .logFile(log)
                .startedAt(clock.instant())
                .timeout(spec.timeout().orElse(null))
                .stopGracePeriod(spec.stopGracePeriod().orElse(stopGracePeriod))
                .build();
        BackendTask started;
        try {
            started = backend.launch(launch);
        } catch (IOException | RuntimeException e) {
            synchronized (tasks) {
                runningNames.remove(name, id);
                launched();
            }
            LogDirectory.deleteQuietly(log);
            throw new TaskStartException("could not start task " + name + " " + Text.command(spec.argv()) + " in "
                    + Text.abbreviate(dir.toString(), Text.MAX_VALUE) + " with the " + backend.name() + " backend: "
                    + Text.abbreviate(String.valueOf(e.getMessage()), 1000), e);
        }
        Task task = new Task(this, started);
        synchronized (tasks) {
            tasks.put(task.id(), task);
            launched();
        }
        task.watch();
        return task;
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this BackgroundTasks is closed; build a new one to start tasks");
        }
    }

    /** Called under the task map's lock when a launch has ended, well or not. */
    private void launched() {
        if (--launching == 0) {
            tasks.notifyAll();
        }
    }

    /**
     * Lists every task this instance knows, running or finished, oldest first. With a backend
     * whose tasks outlive the JVM (tmux), this includes tasks that an earlier JVM started.
     *
     * @return a snapshot of the tasks
     */
    public List<TaskHandle> list() {
        synchronized (tasks) {
            return List.copyOf(tasks.values());
        }
    }

    /**
     * Finds a task by name: the running task of that name, else the most recent finished one.
     *
     * @param name the task's name (or a run's id, such as {@code build-main.3})
     * @return the task, or empty
     */
    public Optional<TaskHandle> find(String name) {
        Objects.requireNonNull(name, "name must not be null");
        synchronized (tasks) {
            String id = runningNames.getOrDefault(name, name);
            if (tasks.containsKey(id)) {
                return Optional.of(tasks.get(id));
            }
            return tasks.values().stream().filter(t -> t.name().equals(name))
                    .max(Comparator.comparing(Task::startedAt)).map(t -> t);
        }
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
        Task t;
        synchronized (tasks) {
            t = tasks.get(task.id());
            if (t != task) {
                throw new IllegalArgumentException("task " + task.id() + " is not one of this instance's tasks");
            }
            if (!t.isDone()) {
                throw new IllegalStateException("task " + task.id() + " still runs (" + t.state()
                        + "); stop it and wait for onExit() before removing it");
            }
            tasks.remove(task.id());
            if (t.countedAsFinished) {
                finished--;
            }
        }
        release(t);
    }

    /** Lets the backend forget a task; a failure is logged, as nothing else depends on it. */
    private void release(Task t) {
        try {
            t.backendTask().release();
        } catch (RuntimeException e) {
            LOG.warn("the {} backend failed to release task {}", backend.name(), t.id(), e);
        }
    }

    /**
     * Runs an event of a task (its exit) on this instance's event thread, never on the
     * backend's thread that reported it. After {@link #close()}, a task left running still
     * gets its own short-lived thread.
     */
    void handOver(Runnable event) {
        try {
            events.execute(event);
        } catch (RejectedExecutionException e) {
            Thread t = new Thread(event, "bgtasks-events-after-close");
            t.setDaemon(true);
            t.start();
        }
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
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is what is closing us
        }
        awaitLaunches(); // so that no task starts after the stop below and outlives the instance
        if (stopTasksOnClose) {
            stopAll();
        }
        try {
            backend.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the {} backend failed", backend.name(), e);
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
        // Events first: they hand results to the callback pool.
        drain(events);
        if (ownsCallbackExecutor) {
            drain((ExecutorService) callbackExecutor);
        }
    }

    /** Lets the work already queued finish (bounded), so that no result of a stopped task is dropped. */
    private static void drain(ExecutorService pool) {
        pool.shutdown();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitLaunches() {
        synchronized (tasks) {
            while (launching > 0) {
                try {
                    tasks.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void stopAll() {
        List<Task> running = new ArrayList<>();
        synchronized (tasks) {
            tasks.values().stream().filter(t -> !t.isDone()).forEach(running::add);
        }
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
            all.get(longestGrace.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("tasks still running {} after SIGKILL; giving up on them", running.stream()
                    .filter(t -> !t.isDone()).map(Task::id).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e); // the futures never fail
        }
    }

    private void closeFromHook() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.warn("closing bgtasks at JVM shutdown failed", e);
        }
    }

    private TaskHandle register(Task task) {
        synchronized (tasks) {
            tasks.put(task.id(), task);
        }
        task.watch();
        return task;
    }

    private void adoptDiscovered() {
        List<BackendTask> found;
        try {
            found = backend.discover();
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not look for tasks that the {} backend kept from earlier runs", backend.name(), e);
            return;
        }
        for (BackendTask b : found) {
            Launch l = b.launch();
            synchronized (tasks) {
                if (tasks.containsKey(l.id())) {
                    LOG.warn("the {} backend found two tasks with id {}; keeping the first", backend.name(), l.id());
                    continue;
                }
                reserveRunNumber(l);
                runningNames.put(l.name(), l.id());
            }
            register(new Task(this, b));
        }
    }

    /** Keeps new runs from reusing the id of an adopted one, which may log elsewhere. */
    private void reserveRunNumber(Launch adopted) {
        String id = adopted.id();
        int dot = id.lastIndexOf('.');
        if (dot > 0 && id.substring(0, dot).equals(adopted.name())) {
            try {
                logs.reserve(adopted.name(), Integer.parseInt(id.substring(dot + 1)));
            } catch (NumberFormatException e) {
                // not an id of the form <name>.<n>: nothing to reserve
            }
        }
    }

    /** Called by a task once it has ended: frees its name and trims the finished list. */
    void ended(Task task) {
        List<Task> dropped = new ArrayList<>();
        synchronized (tasks) {
            runningNames.remove(task.name(), task.id());
            if (tasks.get(task.id()) == task) {
                task.countedAsFinished = true;
                finished++;
            }
            for (Iterator<Task> it = tasks.values().iterator(); it.hasNext() && finished > retainFinished; ) {
                Task t = it.next();
                if (t.countedAsFinished) {
                    it.remove();
                    dropped.add(t);
                    finished--;
                }
            }
        }
        dropped.forEach(this::release);
    }

    private String autoName(String program) {
        String base = program.substring(program.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9_-]", "-");
        base = base.replaceFirst("^-+", "");
        base = base.isEmpty() ? "task" : base.substring(0, Math.min(base.length(), 50));
        return base + "-" + autoNames.incrementAndGet();
    }

    private static String stem(Path log) {
        String f = log.getFileName().toString();
        return f.substring(0, f.length() - ".log".length());
    }

    private static Backend defaultBackend() {
        return ServiceLoader.load(BackendProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .min(Comparator.comparingInt(BackendProvider::priority))
                .map(BackendProvider::create)
                .orElseThrow(() -> new IllegalStateException("no bgtasks backend on the class path; add "
                        + "io.github.bgtasks:bgtasks-process (or pass one to BackgroundTasks.builder().backend(...))"));
    }

    private static ScheduledExecutorService newScheduler() {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, daemon("bgtasks-scheduler"));
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    private static ExecutorService newCallbackPool() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemon("bgtasks-callback"));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    Executor callbackExecutor() {
        return callbackExecutor;
    }

    Clock clock() {
        return clock;
    }

    LogScan logScan() {
        return logScan;
    }

    String backendName() {
        return backend.name();
    }

    /**
     * Returns the log directory in use: absolute, and the target if the configured path is a
     * symbolic link.
     *
     * @return the log directory
     */
    public Path logDirectory() {
        return logs.path();
    }

    @Override
    public String toString() {
        return "BackgroundTasks{" + backend.name() + " backend, logs in " + logs + ", "
                + list().size() + " tasks}";
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
         * Sets the clock for start times, primarily for tests. Durations are measured with
         * {@link System#nanoTime()}, so they never go backwards.
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
         * Sets how many finished tasks {@link #list()} keeps; older ones are removed.
         *
         * @param count at least 0; default 1,000
         * @return this builder
         */
        public Builder retainFinished(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("retained finished tasks must be at least 0, was " + count);
            }
            this.retainFinished = once(this.retainFinished, count, "retained finished tasks");
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
