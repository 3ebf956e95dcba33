package io.github.bgtasks.cli;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.process.ProcessBackend;
import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.tmux.TmuxBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Where the tasks of every invocation are found: one {@link BackgroundTasks} per backend, on
 * the process backend's detached state directory and on the tmux backend's socket, opened when
 * first needed. Each invocation finds what earlier ones started there; nothing runs between
 * invocations but the tasks (and, for process tasks, the helper that records their end).
 */
final class Workspace implements AutoCloseable {
    /** The names of the backends, in the order they are listed. */
    static final List<String> BACKENDS = List.of("process", "tmux");

    @Option(names = "--state-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            defaultValue = "${env:BGTASKS_STATE_DIR}",
            description = "Where process tasks are recorded (env BGTASKS_STATE_DIR; default "
                    + "$XDG_STATE_HOME/bgtasks/process or ~/.local/state/bgtasks/process).")
    Path stateDir;

    @Option(names = "--log-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            defaultValue = "${env:BGTASKS_LOG_DIR}",
            description = "Where task output is kept (env BGTASKS_LOG_DIR; default ${java.io.tmpdir}/bgtasks-<user>).")
    Path logDir;

    @Option(names = "--tmux-socket", scope = ScopeType.INHERIT, paramLabel = "NAME",
            defaultValue = "${env:BGTASKS_TMUX_SOCKET:-bgtasks}",
            description = "The tmux server of tmux tasks, as in tmux -L NAME (env BGTASKS_TMUX_SOCKET; default ${DEFAULT-VALUE}).")
    String tmuxSocket;

    private final Map<String, BackgroundTasks> open = new LinkedHashMap<>();
    private final Map<String, String> unavailable = new LinkedHashMap<>();

    /**
     * @return the tasks of the backend, opened now if needed
     * @throws CliException if the backend cannot run here (the message says why)
     */
    BackgroundTasks tasks(String backend) {
        BackgroundTasks t = open.get(backend);
        if (t != null) {
            return t;
        }
        String why = unavailable.get(backend);
        if (why != null) {
            throw CliException.failure(why);
        }
        try {
            Backend b = switch (backend) {
                case "process" -> stateDir == null ? ProcessBackend.detached() : ProcessBackend.detached(stateDir);
                case "tmux" -> TmuxBackend.builder().socketName(tmuxSocket).build();
                default -> throw CliException.usage("unknown backend '" + backend + "'; use process or tmux");
            };
            BackgroundTasks.Builder builder = BackgroundTasks.builder().backend(b);
            if (logDir != null) {
                builder.logDirectory(logDir);
            }
            t = builder.build();
        } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            String message = "the " + backend + " backend cannot be used: " + e.getMessage();
            unavailable.put(backend, message);
            throw CliException.failure(message);
        }
        open.put(backend, t);
        return t;
    }

    /** A task and the backend it runs on. */
    record Found(String backend, BackgroundTasks tasks, TaskHandle handle) {
    }

    /**
     * @return every task of every backend that can run here, oldest first; a backend that
     *     cannot (tmux not installed) has none
     */
    List<Found> all() {
        List<Found> all = new ArrayList<>();
        for (String backend : BACKENDS) {
            Optional<BackgroundTasks> t = available(backend);
            t.ifPresent(tasks -> tasks.list().forEach(h -> all.add(new Found(backend, tasks, h))));
        }
        all.sort(Comparator.comparing(f -> f.handle().startedAt()));
        return all;
    }

    /** @return the backend's tasks, or empty if it cannot run here */
    Optional<BackgroundTasks> available(String backend) {
        try {
            return Optional.of(tasks(backend));
        } catch (CliException e) {
            return Optional.empty();
        }
    }

    /**
     * @return the task of that name (or run id): a running one first, else the latest finished one
     * @throws CliException if there is none
     */
    Found find(String name) {
        Found best = null;
        for (String backend : BACKENDS) {
            Optional<BackgroundTasks> t = available(backend);
            Optional<TaskHandle> h = t.flatMap(tasks -> tasks.find(name));
            if (h.isPresent()) {
                Found f = new Found(backend, t.get(), h.get());
                if (!h.get().onExit().isDone()) {
                    return f;
                }
                if (best == null || h.get().startedAt().isAfter(best.handle().startedAt())) {
                    best = f;
                }
            }
        }
        if (best == null) {
            throw CliException.failure("no task named '" + name + "'; 'bgtasks list' shows the tasks");
        }
        return best;
    }

    /** Closes every backend opened, leaving tasks running. */
    @Override
    public void close() {
        open.values().forEach(BackgroundTasks::close);
        open.clear();
    }
}
