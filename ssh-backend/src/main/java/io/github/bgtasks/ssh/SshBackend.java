package io.github.bgtasks.ssh;

import io.github.bgtasks.internal.Durations;
import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.Launch;
import io.github.bgtasks.spi.LogStore;
import io.github.bgtasks.ssh.internal.RemoteHost;
import io.github.bgtasks.ssh.internal.RemoteLogs;
import io.github.bgtasks.ssh.internal.Ssh;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs each task on a remote host, in its own session of a private tmux server there, through
 * the system {@code ssh} client: the user's {@code ~/.ssh/config}, agent, ProxyJump and
 * known_hosts checking apply unchanged (host keys are checked as the user's configuration
 * says; this backend never turns that off).
 *
 * <pre>{@code
 * Backend ssh = SshBackend.builder().host("build1").host("build2", 8).placement(Placement.leastLoaded()).build();
 * try (BackgroundTasks tasks = BackgroundTasks.builder().backend(ssh).build()) {
 *     TaskHandle h = tasks.start(TaskSpec.builder("make", "-j8").name("build").build());
 *     System.out.println(h.attachCommand().orElseThrow()); // ssh -t build1 'tmux -L bgtasks attach -t ...'
 * }
 * }</pre>
 *
 * <p>What a host needs: an sh-compatible login shell, tmux 3.2 or later, coreutils, and
 * optionally Perl (exact exit statuses, as in the tmux backend).
 *
 * <p>How it works: one master connection per host ({@code ControlMaster}, its socket in a
 * private 0700 directory), over which every call runs; its session follows an events file on
 * the host, to which each task's log pipe appends one line when the task has ended and its log
 * is complete. So ends are noticed without a thread or a poll per task: one thread per host
 * reads that stream. The task itself runs under the tmux backend's wrapper, which records its
 * exit status and enforces its timeout on the host, also while no JVM is connected. Logs stay on
 * the host, in {@code <log directory>/<host>/<name>.<n>.log}, and are read over the connection.
 * A dropped connection is not a failed task: the backend reconnects with backoff and picks up
 * the stream where it stopped; a host unreachable for longer than
 * {@link Builder#unreachableLimit} makes its tasks LOST, with the reason.
 *
 * <p>Defaults: placement round robin; at most 100 tasks per host; tmux socket {@code bgtasks};
 * state in {@code ~/.bgtasks-ssh/<socket>} on each host; logs in its {@code logs} directory;
 * working directory and environment (HOME, PATH, USER, LOGNAME, SHELL, LANG) of the first host's
 * ssh sessions; unreachable limit 5 minutes; 60 seconds per ssh call. Closing the backend ends
 * its connections; tasks that still run keep running on their hosts (the default of
 * {@code BackgroundTasks} for this backend), and a later instance with the same hosts, socket
 * name and remote directory finds them again ({@link #discover()}).
 *
 * <p>This class is thread-safe.
 */
public final class SshBackend implements Backend {
    private static final Pattern SOCKET_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Duration LOAD_MAX_AGE = Duration.ofSeconds(2);

    private final List<RemoteHost> hosts;
    private final Map<String, RemoteHost> byDestination = new LinkedHashMap<>();
    private final Placement placement;
    private final Path workingDirectory;
    private final Path controlDir;
    private final ScheduledExecutorService scheduler;
    private final Map<String, RemoteHost> pending = new ConcurrentHashMap<>();
    private final AtomicInteger turn = new AtomicInteger();
    private final Map<RemoteHost, double[]> loads = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private SshBackend(Builder b) {
        if (b.hosts.isEmpty()) {
            throw new IllegalStateException("no host was given; add one with SshBackend.builder().host(\"name\")");
        }
        this.placement = b.placement != null ? b.placement : Placement.roundRobin();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bgtasks-ssh-scheduler");
            t.setDaemon(true);
            return t;
        });
        try {
            this.controlDir = Files.createTempDirectory("bgtasks-ssh-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            scheduler.shutdownNow();
            throw new UncheckedIOException("could not create a private directory for the ssh control sockets", e);
        }
        List<String> options = new ArrayList<>();
        if (b.config != null) {
            options.addAll(List.of("-F", b.config.toString()));
        }
        b.options.forEach(o -> options.addAll(List.of("-o", o)));
        List<RemoteHost> list = new ArrayList<>();
        try {
            int i = 0;
            for (Map.Entry<String, Integer> e : b.hosts.entrySet()) {
                Ssh ssh = new Ssh(b.ssh != null ? b.ssh.toString() : "ssh", options, e.getKey(),
                        controlDir.resolve("c" + i), scheduler);
                RemoteHost h = new RemoteHost(ssh, b.socket != null ? b.socket : "bgtasks", b.remoteDirectory,
                        e.getValue(), b.callTimeout != null ? b.callTimeout : Duration.ofSeconds(60),
                        b.unreachableLimit != null ? b.unreachableLimit : Duration.ofMinutes(5), scheduler,
                        controlDir.resolve("c" + i + ".err"));
                list.add(h);
                byDestination.put(e.getKey(), h);
                h.connect();
                i++;
            }
        } catch (RuntimeException e) {
            list.forEach(RemoteHost::close);
            cleanUp();
            throw e;
        }
        this.hosts = List.copyOf(list);
        this.workingDirectory = b.workingDirectory != null ? b.workingDirectory : Path.of(hosts.get(0).home());
    }

    /**
     * Starts configuring a backend.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return {@code "ssh"} */
    @Override
    public String name() {
        return "ssh";
    }

    /** @return {@code true}: tasks keep running on their hosts when their {@code BackgroundTasks} closes, and a later one finds them */
    @Override
    public boolean keepsTasksOnClose() {
        return true;
    }

    /** @return the environment of the first host's ssh sessions (HOME, PATH, USER, LOGNAME, SHELL, LANG) */
    @Override
    public Map<String, String> baseEnvironment() {
        return hosts.get(0).environment();
    }

    /** @return the configured working directory, or the first host's home directory */
    @Override
    public Path defaultWorkingDirectory() {
        return workingDirectory;
    }

    /**
     * Picks the task's host, and checks there that its working directory exists and its program
     * can be run.
     *
     * @throws IllegalArgumentException if every host runs its maximum number of tasks, or the
     *     working directory or the program is unusable on the host
     */
    @Override
    public void validate(List<String> argv, Path dir, Map<String, String> environment) {
        requireOpen();
        // The core calls validate, then creates the log, then launches, all on one thread: the
        // host picked here (remembered per thread) is the one the log and the task go to. The
        // task's name is not known here: a placement by name picks again once it is, so its
        // task is checked on the first host with room, and a program missing on the named host
        // ends with status 127 there.
        RemoteHost h = choose(null);
        picked.set(h);
        h.validate(argv.get(0), dir.toString(), environment.get("PATH"));
    }

    /** The host picked by validate() for the start under way on this thread. */
    private final ThreadLocal<RemoteHost> picked = new ThreadLocal<>();

    /** The host of a task about to start: the named one, or the one validate() picked on this thread, or a new pick. */
    private RemoteHost hostFor(String name) {
        RemoteHost h = named(name);
        if (h == null) {
            h = picked.get();
        }
        if (h == null) {
            h = choose(name);
        }
        picked.set(h);
        return h;
    }

    /** @return the host that a placement by task name names, or {@code null} */
    private RemoteHost named(String name) {
        if (placement.kind != Placement.Kind.BY_NAME || name == null) {
            return null;
        }
        String d = placement.hostOfTask.apply(name);
        if (d == null) {
            return null;
        }
        RemoteHost h = byDestination.get(d);
        if (h == null) {
            throw new IllegalArgumentException("the placement named host '" + d + "' for task " + name
                    + ", which is not one of this backend's hosts " + byDestination.keySet());
        }
        if (!h.hasRoom()) {
            throw new IllegalArgumentException("host " + d + " runs its maximum of " + h.maxTasks()
                    + " tasks; wait for one to end, or raise its limit with host(\"" + d + "\", max)");
        }
        return h;
    }

    private RemoteHost choose(String name) {
        RemoteHost n = named(name);
        if (n != null) {
            return n;
        }
        List<RemoteHost> free = hosts.stream().filter(RemoteHost::hasRoom).toList();
        if (free.isEmpty()) {
            throw new IllegalArgumentException("every host runs its maximum number of tasks ("
                    + hosts.stream().map(h -> h.destination() + ": " + h.maxTasks()).toList()
                    + "); wait for one to end, or add a host");
        }
        if (placement.kind == Placement.Kind.LEAST_LOADED) {
            return free.stream().min(Comparator.comparingDouble(this::loadAverage)
                    .thenComparingInt(RemoteHost::load)).orElseThrow();
        }
        return free.get(Math.floorMod(turn.getAndIncrement(), free.size()));
    }

    /** The host's load average, read at most every two seconds. */
    private double loadAverage(RemoteHost h) {
        double[] cached = loads.get(h);
        long now = System.nanoTime();
        if (cached != null && now - (long) cached[1] < LOAD_MAX_AGE.toNanos()) {
            return cached[0];
        }
        double load;
        try {
            load = h.loadAverage();
        } catch (IOException | RuntimeException e) {
            load = Double.MAX_VALUE; // unreachable right now: last choice
        }
        loads.put(h, new double[] {load, now});
        return load;
    }

    /**
     * Keeps each task's log on the host the task runs on: {@code <directory>/<host>/<name>.<n>.log},
     * where the directory is a path on the hosts ({@code logs} in each host's state directory by
     * default), created with mode 0700.
     */
    @Override
    public Optional<LogStore> logStore(Path directory) {
        return Optional.of(new RemoteLogs(directory, hosts, this::hostFor));
    }

    /**
     * Starts the task in a new session on its host, with its log started in the same tmux call.
     *
     * @throws IOException if a session of that name exists on the host, or ssh or tmux failed
     */
    @Override
    public BackendTask launch(Launch launch) throws IOException {
        requireOpen();
        RemoteHost h = hostFor(launch.name());
        picked.remove();
        h.placed();
        try {
            return h.launch(launch);
        } finally {
            h.unplaced();
        }
    }

    /**
     * Finds the tasks that an earlier instance started on these hosts (same socket name and
     * remote directory): running ones are watched from now on, ended ones report the status
     * their wrapper recorded, and ones whose session vanished without a record are lost. Only
     * one instance at a time should use a remote directory: each one deletes the state of the
     * tasks it forgets.
     */
    @Override
    public List<BackendTask> discover() throws IOException {
        requireOpen();
        List<BackendTask> found = new ArrayList<>();
        for (RemoteHost h : hosts) {
            found.addAll(h.discover());
        }
        return found;
    }

    /**
     * Ends the connections. Tasks keep running on their hosts (the core has stopped those it
     * had to stop).
     */
    @Override
    public void close() {
        closed = true;
        hosts.forEach(RemoteHost::close);
        cleanUp();
    }

    private void cleanUp() {
        scheduler.shutdown();
        try (Stream<Path> s = Files.list(controlDir)) {
            s.forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // nothing left to delete
        }
        controlDir.toFile().delete();
    }

    /** Primarily for tests: the hosts. */
    List<RemoteHost> hosts() {
        return hosts;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this SshBackend is closed; create a new one");
        }
    }

    @Override
    public String toString() {
        return "SshBackend{" + byDestination.keySet() + ", " + placement + "}";
    }

    /**
     * Configures an {@link SshBackend}. Each option may be set once (hosts: each once). This
     * class is not thread-safe.
     */
    public static final class Builder {
        private final Map<String, Integer> hosts = new LinkedHashMap<>();
        private final List<String> options = new ArrayList<>();
        private Path config;
        private Path ssh;
        private String socket;
        private String remoteDirectory;
        private Path workingDirectory;
        private Placement placement;
        private Duration unreachableLimit;
        private Duration callTimeout;

        private Builder() {
        }

        /**
         * Adds a host that runs at most 100 tasks at once.
         *
         * @param destination as ssh takes it: an alias of the ssh configuration, {@code host} or {@code user@host}
         * @return this builder
         */
        public Builder host(String destination) {
            return host(destination, 100);
        }

        /**
         * Adds a host.
         *
         * @param destination as ssh takes it: an alias of the ssh configuration, {@code host} or {@code user@host}
         * @param maxTasks the most tasks that may run on it at once, positive
         * @return this builder
         */
        public Builder host(String destination, int maxTasks) {
            Objects.requireNonNull(destination, "destination must not be null");
            if (destination.isEmpty() || destination.startsWith("-") || !destination.matches("[^\\s\\x00-\\x1f]+")) {
                throw new IllegalArgumentException("host '" + destination + "' is not an ssh destination; give an alias "
                        + "of your ssh configuration, host or user@host, without spaces, not starting with '-'");
            }
            if (maxTasks < 1) {
                throw new IllegalArgumentException("maxTasks of host " + destination + " must be positive, was " + maxTasks);
            }
            if (hosts.putIfAbsent(destination, maxTasks) != null) {
                throw new IllegalStateException("host " + destination + " was already added");
            }
            return this;
        }

        /**
         * Uses this ssh configuration file ({@code ssh -F}) instead of {@code ~/.ssh/config}.
         *
         * @param file the configuration file
         * @return this builder
         */
        public Builder sshConfig(Path file) {
            Objects.requireNonNull(file, "ssh config must not be null");
            requireUnset(config == null, "ssh config");
            this.config = file.toAbsolutePath();
            return this;
        }

        /**
         * Adds an ssh option ({@code ssh -o key=value}), such as {@code UserKnownHostsFile=/path}.
         * Host key checking cannot be turned off here.
         *
         * @param keyValue the option, {@code Key=value}
         * @return this builder
         */
        public Builder sshOption(String keyValue) {
            Objects.requireNonNull(keyValue, "ssh option must not be null");
            if (!keyValue.matches("[A-Za-z]+=[^\\n]*")) {
                throw new IllegalArgumentException("ssh option '" + keyValue + "' is not of the form Key=value");
            }
            String key = keyValue.substring(0, keyValue.indexOf('=')).toLowerCase(Locale.ROOT);
            String value = keyValue.substring(keyValue.indexOf('=') + 1).trim().toLowerCase(Locale.ROOT);
            if (key.equals("stricthostkeychecking") && (value.equals("no") || value.equals("off"))) {
                throw new IllegalArgumentException("ssh option '" + keyValue + "' would turn off host key checking, "
                        + "which this backend never does; add the host's key to known_hosts instead");
            }
            if (key.startsWith("control")) {
                throw new IllegalArgumentException("ssh option '" + keyValue + "' is the backend's own: it keeps one "
                        + "master connection per host in a private directory");
            }
            options.add(keyValue);
            return this;
        }

        /**
         * Sets the ssh program. Default: {@code ssh} on the PATH.
         *
         * @param executable the ssh client
         * @return this builder
         */
        public Builder sshExecutable(Path executable) {
            Objects.requireNonNull(executable, "ssh executable must not be null");
            requireUnset(ssh == null, "ssh executable");
            this.ssh = executable;
            return this;
        }

        /**
         * Sets the tmux socket name on the hosts ({@code tmux -L <name>}). Default {@code bgtasks}.
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
            requireUnset(socket == null, "socket name");
            this.socket = name;
            return this;
        }

        /**
         * Sets the state directory on every host (created with mode 0700). Default
         * {@code ~/.bgtasks-ssh/<socket name>}.
         *
         * @param absolutePath an absolute path on the hosts
         * @return this builder
         */
        public Builder remoteDirectory(String absolutePath) {
            Objects.requireNonNull(absolutePath, "remote directory must not be null");
            if (!absolutePath.startsWith("/") || absolutePath.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("remote directory '" + absolutePath + "' must be an absolute path "
                        + "without line breaks");
            }
            requireUnset(remoteDirectory == null, "remote directory");
            this.remoteDirectory = absolutePath;
            return this;
        }

        /**
         * Sets the working directory on the hosts of tasks whose spec names none. Default: the
         * first host's home directory.
         *
         * @param absolutePath an absolute path on the hosts
         * @return this builder
         */
        public Builder workingDirectory(Path absolutePath) {
            Objects.requireNonNull(absolutePath, "working directory must not be null");
            if (!absolutePath.isAbsolute()) {
                throw new IllegalArgumentException("working directory " + absolutePath + " must be absolute");
            }
            requireUnset(workingDirectory == null, "working directory");
            this.workingDirectory = absolutePath;
            return this;
        }

        /**
         * Sets how tasks are placed on hosts. Default {@link Placement#roundRobin()}.
         *
         * @param p the placement
         * @return this builder
         */
        public Builder placement(Placement p) {
            Objects.requireNonNull(p, "placement must not be null");
            requireUnset(placement == null, "placement");
            this.placement = p;
            return this;
        }

        /**
         * Sets how long a host may stay unreachable before its tasks are reported LOST. Until
         * then the backend reconnects with backoff, and the tasks keep running on the host.
         * Default 5 minutes.
         *
         * @param limit positive
         * @return this builder
         */
        public Builder unreachableLimit(Duration limit) {
            requireUnset(unreachableLimit == null, "unreachable limit");
            this.unreachableLimit = Durations.requirePositive(limit, "unreachable limit");
            return this;
        }

        /**
         * Sets how long one ssh call (a start, a stop, a read of a log) may take. Default 60 seconds.
         *
         * @param limit positive
         * @return this builder
         */
        public Builder callTimeout(Duration limit) {
            requireUnset(callTimeout == null, "call timeout");
            this.callTimeout = Durations.requirePositive(limit, "call timeout");
            return this;
        }

        private static void requireUnset(boolean unset, String what) {
            if (!unset) {
                throw new IllegalStateException(what + " was already set");
            }
        }

        /**
         * Builds the backend: connects to every host and checks that it has tmux 3.2 or later.
         *
         * @return the backend
         * @throws IllegalStateException if no host was given, or a host cannot be reached or lacks tmux
         */
        public SshBackend build() {
            return new SshBackend(this);
        }

        @Override
        public String toString() {
            return "SshBackend.Builder{hosts=" + hosts + (config != null ? ", sshConfig=" + config : "")
                    + (options.isEmpty() ? "" : ", options=" + options) + (placement != null ? ", " + placement : "") + "}";
        }
    }
}
