package io.github.bgtasks.junit5;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * Starts background tasks (servers, helpers) for JUnit 5 tests, waits until each is ready, and
 * stops their whole process trees after the tests. Register it on a field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final BackgroundTasksExtension SERVER = BackgroundTasksExtension.builder()
 *         .task(ports -> TaskSpec.builder("python3", "-m", "http.server", "--bind", "127.0.0.1",
 *                         String.valueOf(ports.port("http")))
 *                 .name("web")
 *                 .readiness(Readiness.port(ports.port("http")), Duration.ofSeconds(30))
 *                 .build())
 *         .build();
 *
 * @Test
 * void answers(@TaskName("web") TaskHandle web) {
 *     URI uri = URI.create("http://127.0.0.1:" + SERVER.port("http") + "/");
 *     ...
 * }
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * A {@code static} field starts the tasks once before all tests of the class and stops them
 * after all; an instance field starts them before each test and stops them after it. The tasks
 * start in the order declared, each once the one before is {@linkplain TaskHandle#onReady()
 * ready} by its spec's {@link io.github.bgtasks.health.Readiness} (at once without one), so a
 * task may depend on one declared before it. If a task cannot start, or ends or passes its
 * readiness deadline before it is ready, what was started is stopped and the class (or test)
 * fails with the task's last lines and log path; its tests do not run. The stop sends SIGTERM to
 * every process of every task, SIGKILL after the instance's stop grace period, and waits for the
 * ends; it runs also when a test fails. If the test JVM is killed (SIGKILL), the process backend's
 * helper stops the tasks.
 *
 * <h2>Failure reports</h2>
 * When a test or one of its {@code @BeforeEach}/{@code @AfterEach} methods fails, the exception
 * gets a suppressed one that lists each task's state, log file and last lines (20 unless
 * {@linkplain Builder#reportLines(int) configured}).
 *
 * <h2>Parameters</h2>
 * Test and lifecycle methods (and constructors, for a static field) may take a
 * {@link TaskHandle} parameter, named with {@link TaskName} unless the extension has one task.
 *
 * <h2>Attaching to tasks the build started</h2>
 * {@link Builder#attach(String)} uses a task that runs already, such as one the Maven plugin
 * started with {@code keepAfterBuild}, instead of starting it: the extension finds it by name in
 * its instance, which must be one that sees the tasks of other JVMs (a detached process backend
 * on the same state directory, or tmux on the same socket), fails the class (or test) with the
 * tasks it sees there if it is missing or has ended, and never stops it: whoever started it
 * owns it. Attached tasks are looked up before any declared task starts.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final BackgroundTasksExtension BUILD_TASKS = BackgroundTasksExtension.builder()
 *         .backgroundTasks(() -> BackgroundTasks.builder()
 *                 .backend(ProcessBackend.detached(Path.of(System.getProperty("bgtasks.default.stateDirectory"))))
 *                 .build())
 *         .attach("web")
 *         .build();
 * }</pre>
 *
 * <p>This class is thread-safe.
 */
public final class BackgroundTasksExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler, ParameterResolver {

    private final List<Function<Ports, TaskSpec>> specs;
    private final List<String> attached;
    private final Supplier<BackgroundTasks> instance;
    private final int reportLines;
    private final AtomicReference<Run> current = new AtomicReference<>();

    private BackgroundTasksExtension(Builder b) {
        this.specs = List.copyOf(b.specs);
        this.attached = List.copyOf(b.attached);
        this.instance = b.instance != null ? b.instance : () -> BackgroundTasks.builder().build();
        this.reportLines = b.reportLines != null ? b.reportLines : 20;
    }

    /**
     * Starts configuring an extension.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a started task, for use in a test.
     *
     * @param name the task's name
     * @return its handle
     * @throws IllegalStateException if the tasks are not running (outside the tests) or none has that name
     */
    public TaskHandle handle(String name) {
        Objects.requireNonNull(name, "name must not be null");
        Run run = running();
        TaskHandle h = run.handle(name);
        if (h == null) {
            throw new IllegalStateException("no task is named '" + name + "'; the tasks are " + run.names());
        }
        return h;
    }

    /**
     * Returns a port picked for the tasks by {@link Ports#port(String)}.
     *
     * @param name the port's name
     * @return the port
     * @throws IllegalStateException if the tasks are not running, or no task asked for that port
     */
    public int port(String name) {
        Objects.requireNonNull(name, "name must not be null");
        Run run = running();
        Integer port = run.pickedPorts().get(name);
        if (port == null) {
            throw new IllegalStateException("no port is named '" + name + "'; the ports are " + run.pickedPorts().keySet()
                    + ": a task spec picks one with ports.port(\"" + name + "\")");
        }
        return port;
    }

    /**
     * Returns the instance that runs the tasks now, for starting more tasks in a test (they
     * are stopped with the rest).
     *
     * @return the instance
     * @throws IllegalStateException if the tasks are not running
     */
    public BackgroundTasks backgroundTasks() {
        return running().tasks();
    }

    private Run running() {
        Run run = current.get();
        if (run == null) {
            throw new IllegalStateException("the background tasks are not running: a static extension field runs them "
                    + "around all tests of its class, an instance field around each test; use them from a test");
        }
        return run;
    }

    /** Starts the tasks for the class: called for static fields only. */
    @Override
    public void beforeAll(ExtensionContext context) {
        start(context);
    }

    /** Starts the tasks for this test, unless they run for the whole class. */
    @Override
    public void beforeEach(ExtensionContext context) {
        start(context);
    }

    private void start(ExtensionContext context) {
        if (current.get() != null) {
            return; // already running for an enclosing class: one start serves its nested classes and tests
        }
        current.set(Run.start(context.getUniqueId(), attached, specs, instance));
    }

    /** Stops the tasks started for this test. */
    @Override
    public void afterEach(ExtensionContext context) {
        stop(context);
    }

    /** Stops the tasks started for the class. */
    @Override
    public void afterAll(ExtensionContext context) {
        stop(context);
    }

    private void stop(ExtensionContext context) {
        Run run = current.get();
        if (run != null && run.owner().equals(context.getUniqueId()) && current.compareAndSet(run, null)) {
            run.close();
        }
    }

    /** Adds the tasks' last lines to the failure of a test. */
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withReport(throwable);
    }

    /** Adds the tasks' last lines to the failure of a {@code @BeforeEach} method. */
    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withReport(throwable);
    }

    /** Adds the tasks' last lines to the failure of an {@code @AfterEach} method. */
    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withReport(throwable);
    }

    private Throwable withReport(Throwable throwable) {
        Run run = current.get();
        if (run != null && !(throwable instanceof TestAbortedException)) {
            try {
                throwable.addSuppressed(new TaskOutput(run.report(reportLines)));
            } catch (RuntimeException e) {
                throwable.addSuppressed(e); // the report is a courtesy: never hide the test's own failure
            }
        }
        return throwable;
    }

    /** Supports {@link TaskHandle} parameters that name one of this extension's running tasks. */
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() != TaskHandle.class) {
            return false;
        }
        Run run = current.get();
        if (run == null) {
            return false;
        }
        Optional<TaskName> named = parameter.findAnnotation(TaskName.class);
        return named.isPresent() ? run.handle(named.get().value()) != null : run.names().size() == 1;
    }

    /** Returns the named task (or the only one). */
    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Run run = running();
        Optional<TaskName> named = parameter.findAnnotation(TaskName.class);
        return named.isPresent() ? handle(named.get().value()) : run.handle(run.names().get(0));
    }

    /**
     * Configures a {@link BackgroundTasksExtension}. Not thread-safe.
     */
    public static final class Builder {
        private final List<Function<Ports, TaskSpec>> specs = new ArrayList<>();
        private final List<String> attached = new ArrayList<>();
        private Supplier<BackgroundTasks> instance;
        private Integer reportLines;

        private Builder() {
        }

        /**
         * Adds a task. Tasks start in the order added.
         *
         * @param spec the task; it needs a {@linkplain TaskSpec.Builder#name(String) name}
         * @return this builder
         */
        public Builder task(TaskSpec spec) {
            Objects.requireNonNull(spec, "spec must not be null");
            specs.add(ports -> spec);
            return this;
        }

        /**
         * Adds a task whose spec needs free ports: the function is called at each start with the
         * start's {@link Ports}, so the ports can go into the arguments, the environment and the
         * readiness. Tasks start in the order added.
         *
         * @param spec makes the task's spec; it needs a {@linkplain TaskSpec.Builder#name(String) name}
         * @return this builder
         */
        public Builder task(Function<Ports, TaskSpec> spec) {
            specs.add(Objects.requireNonNull(spec, "spec function must not be null"));
            return this;
        }

        /**
         * Attaches to a task that runs already instead of starting one: before the tests (and
         * before the declared tasks start) the extension finds the running task of that name in
         * its instance, and leaves it running after them. The class (or test) fails if it is
         * missing or has ended. Needs {@link #backgroundTasks(Supplier)} with an instance that
         * sees other JVMs' tasks and leaves them running when closed (the default of a detached
         * process backend and of tmux), such as
         * {@code () -> BackgroundTasks.builder().backend(ProcessBackend.detached(stateDirectory)).build()}.
         *
         * @param name the task's name, as its starter gave it
         * @return this builder
         * @throws IllegalArgumentException if the name is blank, or already declared
         */
        public Builder attach(String name) {
            Objects.requireNonNull(name, "name must not be null");
            if (name.isBlank()) {
                throw new IllegalArgumentException("the name of a task to attach to must not be blank");
            }
            if (attached.contains(name)) {
                throw new IllegalArgumentException("task '" + name + "' is attached already");
            }
            attached.add(name);
            return this;
        }

        /**
         * Sets how each start gets its instance, such as
         * {@code () -> BackgroundTasks.builder().logDirectory(Path.of("target/bgtasks")).build()};
         * the extension closes it after stopping the tasks. Default: {@code BackgroundTasks.builder().build()}.
         *
         * @param factory makes a new instance on each call
         * @return this builder
         */
        public Builder backgroundTasks(Supplier<BackgroundTasks> factory) {
            Objects.requireNonNull(factory, "factory must not be null");
            if (instance != null) {
                throw new IllegalStateException("the BackgroundTasks factory was already set");
            }
            instance = factory;
            return this;
        }

        /**
         * Sets how many of each task's last lines a failure report shows.
         *
         * @param lines 0 or more; default 20
         * @return this builder
         */
        public Builder reportLines(int lines) {
            if (lines < 0) {
                throw new IllegalArgumentException("report lines must be 0 or more, was " + lines);
            }
            if (reportLines != null) {
                throw new IllegalStateException("report lines were already set to " + reportLines);
            }
            reportLines = lines;
            return this;
        }

        /**
         * @return the extension
         * @throws IllegalStateException if no task was added or attached, or tasks are attached
         *     without a {@linkplain #backgroundTasks(Supplier) BackgroundTasks factory}
         */
        public BackgroundTasksExtension build() {
            if (specs.isEmpty() && attached.isEmpty()) {
                throw new IllegalStateException("a BackgroundTasksExtension needs at least one task: add it with task(..)"
                        + " or attach(..)");
            }
            if (!attached.isEmpty() && instance == null) {
                throw new IllegalStateException("attach(" + attached + ") needs backgroundTasks(..) with an instance that "
                        + "sees the tasks of other JVMs, such as () -> BackgroundTasks.builder().backend("
                        + "ProcessBackend.detached(stateDirectory)).build(): the default instance sees only its own tasks");
            }
            return new BackgroundTasksExtension(this);
        }

        @Override
        public String toString() {
            return "BackgroundTasksExtension.Builder[" + specs.size() + " tasks, attached " + attached + ", reportLines="
                    + reportLines + "]";
        }
    }
}
