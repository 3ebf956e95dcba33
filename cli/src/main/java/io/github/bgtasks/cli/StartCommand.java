package io.github.bgtasks.cli;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.Readiness;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code bgtasks start [options] -- CMD ARGS...} */
@Command(name = "start", description = "Starts CMD in the background and returns. Process tasks are detached: they"
        + " outlive this command, and later commands find them. CMD is run as given, never through a shell (use"
        + " -- sh -c 'SCRIPT' for one).")
final class StartCommand implements Callable<Integer> {
    @ParentCommand
    Bgtasks root;

    @Spec
    CommandSpec spec;

    @Option(names = "--name", paramLabel = "N", description = "The task's name (default: from the program's name).")
    String name;

    @Option(names = "--timeout", paramLabel = "D", converter = DurationConverter.class,
            description = "Stop the task after D, such as 30s, 10m, 1h30m.")
    Duration timeout;

    @Option(names = "--backend", paramLabel = "B", defaultValue = "process", completionCandidates = Backends.class,
            description = "process (default) or tmux.")
    String backend;

    @Option(names = "--ready", paramLabel = "CONDITION",
            description = "Return once the task is ready: log:REGEX (a line of output matches), port:N "
                    + "(127.0.0.1:N accepts connections) or an http(s):// URL (answers below 400).")
    String ready;

    @Option(names = "--ready-timeout", paramLabel = "D", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long --ready may take (default ${DEFAULT-VALUE}).")
    Duration readyTimeout;

    @Option(names = {"-C", "--directory"}, paramLabel = "DIR", description = "The working directory (default: the current one).")
    Path directory;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "Sets an environment variable of the task.")
    Map<String, String> env;

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "The command and its arguments, after --.")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        List<String> argv = command == null ? List.of() : command;
        List<String> original = spec.commandLine().getParseResult().originalArgs();
        int dashes = original.indexOf("--");
        if (dashes < 0 || original.size() - dashes - 1 != argv.size()) {
            throw CliException.usage("put '--' before the command, so that its options are not taken for ours: "
                    + "bgtasks start [options] -- " + (argv.isEmpty() ? "CMD ARGS..." : String.join(" ", argv)));
        }
        if (argv.isEmpty()) {
            throw CliException.usage("no command after '--': bgtasks start [options] -- CMD ARGS...");
        }
        if (!Workspace.BACKENDS.contains(backend)) {
            throw CliException.usage("unknown backend '" + backend + "'; use process or tmux");
        }
        Readiness readiness = ready == null ? null : readiness(ready);
        TaskSpec.Builder b = TaskSpec.builder(argv);
        if (name != null) {
            b.name(name);
        }
        if (timeout != null) {
            b.timeout(timeout);
        }
        if (directory != null) {
            b.workingDirectory(directory.toAbsolutePath());
        }
        if (env != null) {
            b.environment(env);
        }
        if (readiness != null) {
            b.readiness(readiness, readyTimeout);
        }
        TaskSpec task = b.build();
        Workspace ws = root.workspace;
        try (ws) {
            if (name != null) {
                for (Workspace.Found f : ws.all()) {
                    if (f.handle().name().equals(name) && !f.handle().onExit().isDone()) {
                        throw CliException.failure("a task named '" + name + "' runs already (" + f.handle().id()
                                + " on the " + f.backend() + " backend); stop it first or choose another --name");
                    }
                }
            }
            BackgroundTasks tasks = ws.tasks(backend);
            TaskHandle h = tasks.start(task);
            spec.commandLine().getOut().println(h.id() + " started (pid " + h.pid().orElse(-1) + ", " + backend
                    + " backend, log " + h.logFile() + ")");
            if (readiness != null) {
                try {
                    h.onReady().get();
                } catch (ExecutionException e) {
                    throw CliException.failure(h.id() + " did not get ready: " + e.getCause().getMessage());
                }
                spec.commandLine().getOut().println(h.id() + " is ready");
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    private static Readiness readiness(String condition) {
        try {
            if (condition.startsWith("log:")) {
                return Readiness.logLine(Pattern.compile(condition.substring(4)));
            }
            if (condition.startsWith("port:")) {
                return Readiness.port(Integer.parseInt(condition.substring(5)));
            }
            if (condition.startsWith("http://") || condition.startsWith("https://")) {
                return Readiness.http(URI.create(condition));
            }
        } catch (IllegalArgumentException e) { // PatternSyntaxException, NumberFormatException too
            throw CliException.usage("invalid --ready '" + condition + "': " + e.getMessage());
        }
        throw CliException.usage("invalid --ready '" + condition + "'; use log:REGEX, port:N or an http(s):// URL");
    }

    /** The backends, for shell completion. */
    static final class Backends implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Workspace.BACKENDS.iterator();
        }
    }
}
