package io.github.bgtasks.maven;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.process.ProcessBackend;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * Starts background tasks and waits until all are ready, for integration tests; {@code stop}
 * stops them, in this module or another one of the same build.
 *
 * <p>All tasks start at once and must all get ready ({@code <readyLogLine>}, {@code <readyPort>},
 * {@code <readyUrl>}: all that are set) within one {@code readinessTimeout}. The build fails
 * (fail closed) when that passes, or at once when a task ends before it is ready, or when a task
 * cannot start; what this execution started is then stopped, and the failing task's last lines
 * are printed. Free ports named in {@code <ports>} are picked first, set as project properties
 * (and build-wide user properties, for later modules), and replace {@code @{name}} in the tasks.
 *
 * <p>Tasks run on the process backend. By default they are tied to the build: if the build's
 * JVM ends without {@code stop}, its shutdown hook stops them; if the JVM is killed (SIGKILL),
 * the backend's helper does. With {@code keepAfterBuild} they are detached instead: they run on
 * after the build, recorded in a state directory of this project and execution, where
 * {@code stop} finds them from a later {@code mvn} run. In both modes {@code start} first stops
 * what an earlier run of the same execution left in that directory (a killed or unfinished
 * build kept after), and reports it.
 */
@Mojo(name = "start", defaultPhase = LifecyclePhase.PRE_INTEGRATION_TEST, threadSafe = true)
public class StartMojo extends AbstractMojo {
    private static final Pattern LATE = Pattern.compile("@\\{([^}]+)}");
    // Ports picked in this JVM: the kernel may offer a just-closed port again at once.
    private static final Set<Integer> PICKED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The tasks, started at once. */
    @Parameter(required = true)
    private List<Task> tasks;

    /** Names of free ports to pick, such as {@code web.port}: each becomes a property and {@code @{web.port}}. */
    @Parameter
    private List<String> ports;

    /** How long all tasks together may take to get ready, from the start: 500ms, 30s, 2m, PT1M... */
    @Parameter(property = "bgtasks.readinessTimeout", defaultValue = "60s")
    private String readinessTimeout;

    /** How long a stopped task has between SIGTERM and SIGKILL. */
    @Parameter(property = "bgtasks.stopGracePeriod", defaultValue = "10s")
    private String stopGracePeriod;

    /** Where the tasks' logs go. */
    @Parameter(property = "bgtasks.logDirectory", defaultValue = "${project.build.directory}/bgtasks")
    private File logDirectory;

    /** Names this execution's tasks for {@code stop}; two executions that run at once need different ids. */
    @Parameter(property = "bgtasks.id", defaultValue = "default")
    private String id;

    /** How many of a failing task's last lines to print. */
    @Parameter(property = "bgtasks.tailLines", defaultValue = "30")
    private int tailLines;

    /**
     * Leaves the tasks running after the build when it ends without {@code stop} (also when it is
     * killed), for {@code stop} in a later {@code mvn} run or for tests run outside Maven. Off by
     * default: the tasks end with the build.
     */
    @Parameter(property = "bgtasks.keepAfterBuild", defaultValue = "false")
    private boolean keepAfterBuild;

    /**
     * The root under which executions record the tasks they keep after the build, in
     * {@code <root>/<artifactId>-<hash of the base directory>/<id>}, a directory private to the
     * user (created with mode 0700). Default: {@code $XDG_STATE_HOME/bgtasks/maven} (or
     * {@code ~/.local/state/bgtasks/maven}), outside {@code target} so that {@code mvn clean}
     * cannot lose the records of running tasks. With {@code keepAfterBuild}, the execution's
     * directory is set as the property {@code bgtasks.<id>.stateDirectory}, for tests that attach.
     */
    @Parameter(property = "bgtasks.stateDirectory")
    private File stateDirectory;

    /** Skips starting (and {@code stop} skips too, with the same property). */
    @Parameter(property = "bgtasks.skip", defaultValue = "false")
    private boolean skip;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    private MavenSession session;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    /** For Maven. */
    public StartMojo() {
    }

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("bgtasks: start skipped (bgtasks.skip)");
            return;
        }
        Duration deadline = duration("readinessTimeout", readinessTimeout);
        Duration grace = duration("stopGracePeriod", stopGracePeriod);
        checkTasks();
        if (BuildTasks.has(session.getRequest(), id)) { // before the leftovers: never stop this build's own tasks
            throw new MojoExecutionException("bgtasks: tasks of id '" + id + "' run already in this build: give this "
                    + "start execution another <id>, or stop those first");
        }
        Path state;
        try {
            state = KeptTasks.directory(stateDirectory, project, id);
            int left = KeptTasks.stopAll(state, logDirectory.toPath(), grace, tailLines, getLog(),
                    "left by an earlier build (execution '" + id + "')");
            if (left > 0) {
                getLog().warn("bgtasks: stopped " + left + " task(s) that an earlier build left running");
            }
        } catch (RuntimeException e) {
            throw new MojoExecutionException("bgtasks: " + e.getMessage(), e);
        }
        if (keepAfterBuild) {
            String property = "bgtasks." + id + ".stateDirectory"; // for tests that attach to the tasks
            project.getProperties().setProperty(property, state.toString());
            session.getUserProperties().setProperty(property, state.toString());
        }
        Map<String, String> late = new LinkedHashMap<>();
        for (String name : ports == null ? List.<String>of() : ports) {
            String port = String.valueOf(freePort());
            late.put(name, port);
            project.getProperties().setProperty(name, port);
            session.getUserProperties().setProperty(name, port); // for ${name} in later modules
            getLog().info("bgtasks: port " + name + " = " + port);
        }
        List<TaskSpec> specs = new ArrayList<>();
        for (Task t : tasks) {
            specs.add(spec(t, late, deadline));
        }

        BackgroundTasks bg;
        try {
            bg = keepAfterBuild ? KeptTasks.open(state, logDirectory.toPath(), grace)
                    : BackgroundTasks.builder().backend(ProcessBackend.create())
                            .logDirectory(logDirectory.toPath()).stopGracePeriod(grace).build();
        } catch (RuntimeException e) {
            throw new MojoExecutionException("bgtasks: " + e.getMessage(), e);
        }
        Started started = new Started(bg);
        try {
            long t0 = System.nanoTime();
            for (TaskSpec spec : specs) {
                TaskHandle h = bg.start(spec);
                started.add(h);
                getLog().info("bgtasks: started task '" + h.name() + "' (pid " + h.pid().orElse(-1) + "), log "
                        + h.logFile());
            }
            awaitReady(started.handles(), deadline, t0);
            BuildTasks.put(session.getRequest(), id, started);
            getLog().info("bgtasks: " + specs.size() + " task(s) ready: "
                    + started.handles().stream().map(TaskHandle::name).toList());
            if (keepAfterBuild) {
                getLog().info("bgtasks: the tasks run on after the build until a stop (id '" + id + "'), recorded in "
                        + state);
            }
        } catch (RuntimeException | MojoFailureException e) {
            for (TaskHandle h : started.handles()) {
                if (h.state().isTerminal() || h.onReady().isCompletedExceptionally()) {
                    printTail(h);
                }
            }
            getLog().error("bgtasks: stopping the tasks this execution started");
            started.stop(line -> getLog().info("bgtasks: " + line));
            if (e instanceof MojoFailureException m) {
                throw m;
            }
            throw new MojoFailureException("bgtasks: " + e.getMessage(), e);
        }
    }

    private void awaitReady(List<TaskHandle> handles, Duration deadline, long t0) throws MojoFailureException {
        List<CompletableFuture<TaskHandle>> ready = handles.stream().map(TaskHandle::onReady).toList();
        CompletableFuture<Object> firstFailure = new CompletableFuture<>();
        for (CompletableFuture<TaskHandle> r : ready) {
            r.whenComplete((h, e) -> {
                if (e != null) {
                    firstFailure.completeExceptionally(e); // fail fast: do not wait for the others
                }
            });
        }
        CompletableFuture<Object> all = CompletableFuture.anyOf(
                CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)), firstFailure);
        // Each task's own readiness deadline fails it; this bound only guards against a lost signal.
        long left = deadline.plusSeconds(10).toNanos() - (System.nanoTime() - t0);
        try {
            all.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            throw new MojoFailureException("bgtasks: " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new MojoFailureException("bgtasks: the tasks were not ready within " + readinessTimeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MojoFailureException("bgtasks: interrupted while waiting for the tasks to get ready", e);
        }
    }

    private void printTail(TaskHandle h) {
        List<String> tail = h.tail(tailLines);
        getLog().error("bgtasks: task '" + h.name() + "' " + h.state() + ", log " + h.logFile()
                + (tail.isEmpty() ? ": it wrote nothing" : ", last " + tail.size() + " lines:"));
        for (String line : tail) {
            getLog().error("  | " + line);
        }
    }

    private void checkTasks() throws MojoExecutionException {
        if (tasks == null || tasks.isEmpty()) {
            throw new MojoExecutionException("bgtasks: <tasks> is empty: add at least one <task> with a <name> and a <command>");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tasks.size(); i++) {
            Task t = tasks.get(i);
            if (t.name == null || t.name.isBlank()) {
                throw new MojoExecutionException("bgtasks: task #" + (i + 1) + " has no <name>");
            }
            if (!names.add(t.name)) {
                throw new MojoExecutionException("bgtasks: two tasks are named '" + t.name + "': names must be unique");
            }
            if (t.command == null || t.command.isEmpty()) {
                throw new MojoExecutionException("bgtasks: task '" + t.name
                        + "' has no <command>: give the program and its arguments as <command><arg>..</arg></command>");
            }
        }
    }

    private TaskSpec spec(Task t, Map<String, String> late, Duration deadline) throws MojoExecutionException {
        List<String> argv = new ArrayList<>();
        for (String a : t.command) {
            argv.add(replace(t, a == null ? "" : a, late));
        }
        TaskSpec.Builder b;
        try {
            b = TaskSpec.builder(argv).name(t.name)
                    .workingDirectory((t.workingDirectory != null ? t.workingDirectory : project.getBasedir()).toPath());
            if (t.environment != null && !t.environment.isEmpty()) {
                Map<String, String> env = new LinkedHashMap<>();
                for (Map.Entry<String, String> e : t.environment.entrySet()) {
                    env.put(e.getKey(), replace(t, e.getValue() == null ? "" : e.getValue(), late));
                }
                b.environment(env);
            }
            List<Readiness> ready = new ArrayList<>();
            if (t.readyLogLine != null) {
                ready.add(Readiness.logLine(Pattern.compile(replace(t, t.readyLogLine, late))));
            }
            if (t.readyPort != null) {
                String p = replace(t, t.readyPort, late);
                try {
                    ready.add(Readiness.port(Integer.parseInt(p.trim())));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("<readyPort> must be a port number, was '" + p + "'", e);
                }
            }
            if (t.readyUrl != null) {
                URI url = URI.create(replace(t, t.readyUrl, late));
                ready.add(t.readyStatus != null ? Readiness.http(url, t.readyStatus) : Readiness.http(url));
            } else if (t.readyStatus != null) {
                throw new IllegalArgumentException("<readyStatus> needs a <readyUrl>");
            }
            if (!ready.isEmpty()) {
                b.readiness(Readiness.allOf(ready.toArray(Readiness[]::new)), deadline);
            }
            return b.build();
        } catch (IllegalArgumentException e) { // also PatternSyntaxException
            throw new MojoExecutionException("bgtasks: task '" + t.name + "': " + e.getMessage(), e);
        }
    }

    /** Replaces {@code @{name}} by a picked port or a property, known only now. */
    private String replace(Task t, String text, Map<String, String> late) throws MojoExecutionException {
        Matcher m = LATE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = late.containsKey(name) ? late.get(name)
                    : project.getProperties().getProperty(name, session.getUserProperties().getProperty(name));
            if (value == null) {
                throw new MojoExecutionException("bgtasks: task '" + t.name + "' uses @{" + name + "}, but no port or "
                        + "property has that name; the ports are " + late.keySet());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Duration duration(String parameter, String text) throws MojoExecutionException {
        try {
            return Durations.parse(parameter, text);
        } catch (IllegalArgumentException e) {
            throw new MojoExecutionException("bgtasks: " + e.getMessage(), e);
        }
    }

    private static int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (PICKED.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not find a free port on 127.0.0.1: " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("could not find a free port on 127.0.0.1 that this build has not handed out");
    }
}
