package io.github.bgtasks.tmux;

import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.Launch;
import io.github.bgtasks.tmux.internal.Chores;
import io.github.bgtasks.tmux.internal.EndWatcher;
import io.github.bgtasks.tmux.internal.OwnerLock;
import io.github.bgtasks.tmux.internal.Ownership;
import io.github.bgtasks.tmux.internal.ServerAddress;
import io.github.bgtasks.tmux.internal.Sessions;
import io.github.bgtasks.tmux.internal.SpareFifos;
import io.github.bgtasks.tmux.internal.StateFiles;
import io.github.bgtasks.tmux.internal.TaskRecords;
import io.github.bgtasks.tmux.internal.TaskStarter;
import io.github.bgtasks.tmux.internal.TmuxClient;
import io.github.bgtasks.tmux.internal.Timing;
import io.github.bgtasks.tmux.internal.TmuxTask;
import io.github.bgtasks.tmux.internal.Tools;
import io.github.bgtasks.tmux.internal.Wrapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Runs each task in its own session of a private tmux server, so that a person can attach to
 * it ({@code tmux -L bgtasks attach -t '=build-main'}) and it outlives the JVM.
 *
 * <pre>{@code
 * BackgroundTasks tasks = BackgroundTasks.builder().backend(TmuxBackend.create()).build();
 * TaskHandle h = tasks.start(TaskSpec.builder("make", "test").name("tests").build());
 * System.out.println(h.attachCommand().orElseThrow());
 * }</pre>
 *
 * <p>Defaults: socket name {@code bgtasks} ({@code tmux -L bgtasks}); state directory
 * {@code <java.io.tmpdir>/bgtasks-tmux-<user.name>/<socket name>} (for a socket path:
 * {@code <socket path>.state}), created with mode 0700. Tasks are left running when the
 * {@code BackgroundTasks} closes, and a later {@code BackgroundTasks} built on a backend with
 * the same socket and state directory lists them again, also those that ended meanwhile.
 *
 * <p>How it works: each task gets a state directory with a generated wrapper script that
 * runs the command and records its end in an {@code exit} file; the log is written by
 * {@code pipe-pane}, started in the same tmux call as the session, and a {@code closed} marker
 * appears once the log has its last byte. Ends are noticed from file events (one
 * {@link java.nio.file.WatchService}, i.e. one inotify thread, for all tasks), with a sweep every two
 * seconds as a safety net; no task has a thread or a polling loop of its own. Each backend
 * uses four threads: the JDK's watch thread, one that handles its events, one for the sweep, one
 * that reads the keeper's answers (below).
 * (Where the JDK has no native file events, as on macOS, where it polls, the sweep notices ends
 * within about two seconds.)
 *
 * <p>With its first task, the backend starts a keeper: one tmux control-mode client, held by
 * this JVM through a pipe, attached to a session of its own named
 * {@code bgtasks-keeper@<pid>-<n>} (never a task's name). It keeps the server running between
 * tasks and carries each start to tmux as a line, with no tmux process per start. It ends with
 * the JVM, however that ends, or with {@link #close()}; a start never depends on it (without
 * it, each start runs a tmux client of its own).
 *
 * <p>The log can also be written by the task itself, at the speed of the disk rather than of
 * the pane ({@link Builder#output(Output)}, {@link Output#DIRECT}).
 *
 * <p>This class is thread-safe.
 */
public final class TmuxBackend implements Backend {
    private static final Pattern SOCKET_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final ServerAddress server;
    private final Path stateDir;
    private final TmuxClient tmux;
    private final Chores chores;
    private final OwnerLock owners;
    private final EndWatcher ends;
    private final TmuxTask.Services services;
    private final Ownership ownership;
    private final TaskStarter starter;
    private final SpareFifos fifos;

    /** Checks tmux, prepares the state directory and wires the parts; each part owns its own state. */
    private TmuxBackend(Builder b) {
        Timing timing = b.timing != null ? b.timing : Timing.DEFAULT;
        if (b.tmuxTimeout != null) {
            timing = timing.withTmuxLimit(b.tmuxTimeout);
        }
        String executable = b.executable != null ? b.executable.toString() : "tmux";
        TmuxClient.checkVersion(executable, timing.helperLimit());
        String exe = b.executable != null ? Wrapper.quote(executable) : "tmux";
        this.server = b.socketPath != null ? ServerAddress.ofPath(exe, b.socketPath)
                : ServerAddress.ofName(exe, b.socketName != null ? b.socketName : "bgtasks");
        this.stateDir = b.stateDir != null ? b.stateDir : server.defaultStateDirectory();
        StateFiles.privateDirectory(stateDir.getParent(), true);
        StateFiles.privateDirectory(stateDir, false);
        Path tasksDir = stateDir.resolve("tasks");
        StateFiles.privateDirectory(tasksDir, false);
        this.tmux = new TmuxClient(executable, server.socketArgs(), server.writeConfig(stateDir), timing, b.keeper);
        Tools tools = Tools.find(b.perl, timing.helperLimit());
        Sessions sessions = new Sessions(tmux);
        this.chores = new Chores();
        this.owners = new OwnerLock(stateDir.resolve("owners"), chores);
        this.ends = new EndWatcher(tasksDir, sessions, chores, server.attachPrefix(), timing);
        this.services = new TmuxTask.Services(sessions, tools, chores, server, timing, this::release);
        TaskRecords records = new TaskRecords(tasksDir, server.attachPrefix(), owners.id());
        this.ownership = new Ownership(owners, records, ends, services);
        this.fifos = new SpareFifos(stateDir.resolve("fifos"), owners, tools);
        this.starter = new TaskStarter(records, ends, services, b.output == Output.DIRECT ? Tools.tail() : null, fifos);
        ends.start();
    }

    /**
     * Creates a backend with the default settings: socket name {@code bgtasks}, state in
     * {@code <java.io.tmpdir>/bgtasks-tmux-<user.name>/bgtasks}.
     *
     * @return the backend
     * @throws IllegalStateException if tmux is missing or older than 3.2; the message names the
     *     version found and the version needed
     */
    public static TmuxBackend create() {
        return builder().build();
    }

    /**
     * Starts configuring a backend.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return {@code "tmux"} */
    @Override
    public String name() {
        return "tmux";
    }

    /** @return {@code true}: tmux tasks keep running when their {@code BackgroundTasks} closes */
    @Override
    public boolean keepsTasksOnClose() {
        return true;
    }

    /**
     * Checks this machine as every local backend does, and what only this backend cannot run:
     * without Perl, a program whose name contains {@code =} (env(1) would take it for a variable).
     */
    @Override
    public void validate(List<String> argv, Path workingDirectory, Map<String, String> environment) {
        Backend.super.validate(argv, workingDirectory, environment);
        starter.checkProgram(argv.get(0));
    }

    /**
     * Starts the task in a new session named as the task, with its log started in the same
     * tmux call so that not even the first byte is lost.
     *
     * <p>The wrapper waits for a "go" from this JVM before it runs anything, and gets it only
     * once tmux has confirmed that the session exists and is this task's. A tmux that answers
     * slowly is waited for (see {@link Builder#tmuxTimeout}); if it gives no answer, tmux is
     * asked once more whether the session exists. So a start either returns a task that runs,
     * or throws and nothing of it ever runs: a session that tmux creates later ends at once.
     *
     * @throws IOException if a session of that name exists already (for example one that
     *     another JVM started), or tmux failed
     */
    @Override
    public BackendTask launch(Launch launch) throws IOException {
        requireOpen();
        return starter.launch(launch);
    }

    /**
     * Finds the tasks recorded in the state directory: running ones (their session exists),
     * ones that ended while no JVM watched (completed with the recorded status), and ones
     * whose end was not recorded (completed as lost).
     *
     * <p>A task whose owner (the instance that started it, or took it over) is still open
     * elsewhere is only watched: its state stays the owner's to delete, and one that the owner
     * is still starting is left out. A task whose owner has gone is taken over by exactly one
     * instance; if its start was accepted but its wrapper never read the go (the owner ended in
     * between), the go is given now; if its start was never accepted, it never runs and is
     * reported lost.
     */
    @Override
    public List<BackendTask> discover() throws IOException {
        requireOpen();
        return ownership.discover();
    }

    /**
     * Stops watching, and ends the keeper session. Tasks keep running (and keep the server
     * running); a new backend on the same socket finds them again. If the server has exited
     * (it does with its last session), its socket file is removed: tmux leaves it behind.
     */
    @Override
    public void close() {
        // A wrapper that has not read its go yet still gets it: its FIFO stays open until it has.
        starter.letWrappersReadTheirGo();
        chores.close();
        ends.close();
        fifos.close();
        owners.close();
        tmux.close(); // the keeper: its session goes, and the server with it if no task's session is left
        server.removeStaleSocket();
    }

    @Override
    public String toString() {
        return "TmuxBackend{" + server.attachPrefix() + ", state in " + stateDir + "}";
    }

    /** What a task's {@code release()} does. */
    private void release(TmuxTask t) {
        ownership.release(t);
    }

    /** Primarily for tests: the tmux client, which counts its calls. */
    TmuxClient tmux() {
        return tmux;
    }

    /** Primarily for tests: a task of this backend that was never started. */
    TmuxTask newTask(Launch launch, Path dir) {
        return new TmuxTask(services, launch, dir);
    }

    private void requireOpen() {
        if (chores.closed()) {
            throw new IllegalStateException("this TmuxBackend is closed; create a new one");
        }
    }

    /**
     * Where a task's output goes, and so what its log holds and how fast it can be written.
     * Measured in BENCHMARKS.md (512 MiB from {@code head -c}, 2 cores): {@link #PANE} logs
     * at about 50 MiB/s, what tmux can take through a pane; {@link #DIRECT} at the speed of a
     * plain redirect to the file.
     */
    public enum Output {
        /**
         * The default: the task writes to the pane's terminal, and {@code pipe-pane} copies the
         * pane's bytes to the log. The task sees a terminal on stdin, stdout and stderr (colours,
         * line buffering, progress bars), and the log holds what a person would have seen,
         * typed input echoed included. tmux reads every byte, so the log is written at about
         * 50 MiB/s at most.
         */
        PANE,
        /**
         * The task writes its stdout and stderr straight to the log file, and the pane shows
         * the log as {@code tail -f} does, so a person who attaches still watches the output
         * live (the view may lag behind a burst of output, never the task). Typed input still
         * reaches the task: its stdin is the pane's terminal, and Ctrl-C still interrupts it.
         * What differs: stdout and stderr are not a terminal ({@code isatty} is false, so many
         * programs buffer their output in blocks and drop colours), and typed input is not in
         * the log. Needs tail(1).
         */
        DIRECT
    }

    /**
     * Configures a {@link TmuxBackend}. Each option may be set once; a socket name and a
     * socket path exclude each other. This class is not thread-safe.
     */
    public static final class Builder {
        private String socketName;
        private Path socketPath;
        private Path stateDir;
        private Path executable;
        private Duration tmuxTimeout;
        private Timing timing;
        private boolean perl = true;
        private boolean keeper = true;
        private Output output;

        private Builder() {
        }

        /**
         * Sets where each task's output goes: to the pane, copied to the log by tmux
         * ({@link Output#PANE}, the default), or straight to the log file, the pane showing
         * the log ({@link Output#DIRECT}, for tasks that write a lot).
         *
         * @param output where output goes
         * @return this builder
         */
        public Builder output(Output output) {
            Objects.requireNonNull(output, "output must not be null; use Output.PANE or Output.DIRECT");
            requireUnset(this.output == null, "output");
            this.output = output;
            return this;
        }

        /** Primarily for tests: starts no keeper, so that every tmux call has a client process of its own. */
        Builder withoutKeeper() {
            this.keeper = false;
            return this;
        }

        /** Primarily for tests: runs tasks as if Perl were not installed. */
        Builder withoutPerl() {
            this.perl = false;
            return this;
        }

        /**
         * Uses the server {@code tmux -L <name>} (a socket in tmux's own per-user directory,
         * {@code /tmp/tmux-<uid>}, which tmux keeps private). Default {@code bgtasks}.
         *
         * @param name letters, digits, '_', '-', '.'; at most 64
         * @return this builder
         */
        public Builder socketName(String name) {
            Objects.requireNonNull(name, "socket name must not be null");
            if (!SOCKET_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("socket name '" + name + "' is not allowed; use 1 to 64 letters, "
                        + "digits, '_', '-' and '.'");
            }
            requireUnset(socketName == null && socketPath == null, "socket");
            this.socketName = name;
            return this;
        }

        /**
         * Uses the server {@code tmux -S <path>}. The socket's directory is created with mode
         * 0700 if missing and refused if other users can write to it.
         *
         * @param path the socket, shorter than 104 bytes
         * @return this builder
         */
        public Builder socketPath(Path path) {
            Objects.requireNonNull(path, "socket path must not be null");
            requireUnset(socketName == null && socketPath == null, "socket");
            this.socketPath = path;
            return this;
        }

        /**
         * Sets where task records (wrapper scripts, exit statuses) are kept; must be the same
         * for every JVM that should find the tasks again. Created with mode 0700.
         *
         * @param dir the directory
         * @return this builder
         */
        public Builder stateDirectory(Path dir) {
            Objects.requireNonNull(dir, "state directory must not be null");
            requireUnset(stateDir == null, "state directory");
            this.stateDir = dir.toAbsolutePath().normalize();
            return this;
        }

        /**
         * Sets the tmux program to run. Default: {@code tmux} on the PATH.
         *
         * @param tmux the executable
         * @return this builder
         */
        public Builder tmuxExecutable(Path tmux) {
            Objects.requireNonNull(tmux, "tmux executable must not be null");
            requireUnset(executable == null, "tmux executable");
            this.executable = tmux;
            return this;
        }

        /**
         * Sets how long one tmux command may take in all, such as the one that creates a task's
         * session. A busy machine can slow tmux down by seconds, so the default is generous: two
         * minutes. Sooner than that, a command fails only if neither tmux nor its server makes
         * any progress for 15 seconds (a stopped or wedged server). A start that fails this way
         * never runs its command, not even should tmux create the session later.
         *
         * @param limit positive
         * @return this builder
         */
        public Builder tmuxTimeout(Duration limit) {
            Objects.requireNonNull(limit, "tmux timeout must not be null");
            if (limit.isNegative() || limit.isZero()) {
                throw new IllegalArgumentException("tmux timeout must be positive, was " + limit);
            }
            requireUnset(tmuxTimeout == null, "tmux timeout");
            this.tmuxTimeout = limit;
            return this;
        }

        /**
         * Primarily for tests: the backend's ticker and delays (sweep period, settle time, the
         * no-progress limit of tmux calls...). {@link #tmuxTimeout}, if set, overrides its tmux limit.
         */
        Builder timing(Timing t) {
            this.timing = Objects.requireNonNull(t, "timing must not be null");
            return this;
        }

        private static void requireUnset(boolean unset, String what) {
            if (!unset) {
                throw new IllegalStateException(what + " was already set");
            }
        }

        /**
         * Builds the backend: checks the tmux version and prepares the state directory. The
         * tmux server itself starts with the first task.
         *
         * @return the backend
         * @throws IllegalStateException if tmux is missing or older than 3.2
         * @throws IllegalArgumentException if a directory is open to other users
         */
        public TmuxBackend build() {
            return new TmuxBackend(this);
        }

        @Override
        public String toString() {
            return "TmuxBackend.Builder{" + (socketPath != null ? "socketPath=" + socketPath
                    : "socketName=" + (socketName != null ? socketName : "bgtasks"))
                    + (stateDir != null ? ", stateDirectory=" + stateDir : "")
                    + (tmuxTimeout != null ? ", tmuxTimeout=" + tmuxTimeout : "")
                    + (output != null ? ", output=" + output : "") + "}";
        }
    }
}
