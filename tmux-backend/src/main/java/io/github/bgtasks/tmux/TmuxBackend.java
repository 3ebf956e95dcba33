package io.github.bgtasks.tmux;

import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import io.github.bgtasks.tmux.internal.StateFiles;
import io.github.bgtasks.tmux.internal.TmuxClient;
import io.github.bgtasks.tmux.internal.TmuxException;
import io.github.bgtasks.tmux.internal.Wrapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeroturnaround.exec.ProcessExecutor;
import org.zeroturnaround.exec.ProcessResult;

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
 * {@link WatchService}, i.e. one inotify thread, for all tasks), with a sweep every two
 * seconds as a safety net; no task has a thread or a polling loop of its own. Each backend
 * uses three threads: the JDK's watch thread, one that handles its events, one for the sweep.
 * (Where the JDK has no native file events, as on macOS, where it polls, the sweep notices ends
 * within about two seconds.)
 *
 * <p>This class is thread-safe.
 */
public final class TmuxBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(TmuxBackend.class);
    private static final Pattern SESSION_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,63}");
    private static final Pattern SOCKET_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final long SWEEP_MILLIS = 2_000;
    /** Default for {@link Builder#tmuxTimeout}: generous, as a busy machine slows tmux down a lot. */
    private static final Duration DEFAULT_TMUX_TIMEOUT = Duration.ofMinutes(2);
    /** How long neither a tmux client nor the server may move before a call counts as wedged. */
    private static final Duration DEFAULT_NO_PROGRESS = Duration.ofSeconds(15);
    /**
     * The backend instances of this JVM that are open, by id. Another JVM's instance is known to
     * be open by the lock it holds on its file in {@code owners/}; within one JVM that lock
     * cannot be probed (closing a probe's descriptor would drop the owner's POSIX lock).
     */
    private static final Set<String> OPEN_HERE = ConcurrentHashMap.newKeySet();
    /**
     * How long a half-seen end may wait for the rest before it is reported anyway: an exit
     * record for the log's {@code closed} marker, or a session gone without a record for one.
     */
    private static final long SETTLE_MILLIS = 1_000;
    private static final String CONFIG = String.join("\n",
            "# generated by bgtasks: the settings its tmux server needs; user configuration is not read",
            "set -g history-limit 50000",
            "set -g remain-on-exit off",
            "set -g exit-empty on",
            "set -g exit-unattached off",
            "set -g destroy-unattached off",
            "set -g default-shell /bin/sh",
            "setw -g automatic-rename off",
            "setw -g allow-rename off",
            "");

    private final String executable;
    private final List<String> socketArgs;
    private final Path socketFile;
    private final String attachPrefix;
    private final Path stateDir;
    private final Path tasksDir;
    private final TmuxClient tmux;
    private final Wrapper.Tools tools;
    private final String killCommand;
    private final WatchService watcher;
    private final ScheduledExecutorService sweeper;
    private final Map<String, TmuxTask> tasks = new ConcurrentHashMap<>();
    private final Map<WatchKey, TmuxTask> byKey = new ConcurrentHashMap<>();
    /** This instance's id, the {@code owner} in the records of the tasks it owns. */
    private final String instanceId = UUID.randomUUID().toString();
    private final Path ownersDir;
    /** Held while this instance is open: tells other JVMs that its tasks have an owner. */
    private final FileChannel ownerLock;
    private volatile boolean closed;

    private TmuxBackend(Builder b) {
        this.executable = b.executable != null ? b.executable.toString() : "tmux";
        TmuxClient.checkVersion(executable);
        String exe = b.executable != null ? Wrapper.quote(executable) : "tmux";
        if (b.socketPath != null) {
            Path sock = b.socketPath.toAbsolutePath().normalize();
            if (sock.toString().getBytes(StandardCharsets.UTF_8).length >= 104) {
                throw new IllegalArgumentException("socket path " + sock + " is too long for a Unix socket (at most "
                        + "103 bytes); choose a shorter path");
            }
            StateFiles.privateDirectory(sock.getParent(), false);
            this.socketArgs = List.of("-S", sock.toString());
            this.socketFile = sock;
            this.attachPrefix = exe + " -S " + Wrapper.quote(sock.toString());
            this.stateDir = b.stateDir != null ? b.stateDir : Path.of(sock + ".state");
        } else {
            String name = b.socketName != null ? b.socketName : "bgtasks";
            this.socketArgs = List.of("-L", name);
            this.socketFile = socketOfName(name);
            this.attachPrefix = exe + " -L " + name;
            this.stateDir = b.stateDir != null ? b.stateDir : Path.of(System.getProperty("java.io.tmpdir"),
                    "bgtasks-tmux-" + System.getProperty("user.name"), name);
        }
        StateFiles.privateDirectory(stateDir.getParent(), true);
        StateFiles.privateDirectory(stateDir, false);
        this.tasksDir = stateDir.resolve("tasks");
        StateFiles.privateDirectory(tasksDir, false);
        Path config = stateDir.resolve("tmux.conf");
        try {
            StateFiles.writeAtomically(config, CONFIG);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the tmux configuration " + config, e);
        }
        this.tmux = new TmuxClient(executable, socketArgs, config, b.tmuxTimeout != null ? b.tmuxTimeout : DEFAULT_TMUX_TIMEOUT,
                b.noProgress != null ? b.noProgress : DEFAULT_NO_PROGRESS);
        String env = required(firstExecutable("/usr/bin/env", "/bin/env"), "env");
        this.tools = new Wrapper.Tools(env, required(firstExecutable("/usr/bin/mv", "/bin/mv"), "mv"),
                required(firstExecutable("/usr/bin/sleep", "/bin/sleep"), "sleep"),
                required(firstExecutable("/usr/bin/mkfifo", "/bin/mkfifo"), "mkfifo"), supportsDefaultSignal(env),
                b.perl ? firstExecutable("/usr/bin/perl", "/bin/perl") : null);
        this.killCommand = firstExecutable("/usr/bin/kill", "/bin/kill");
        this.ownersDir = stateDir.resolve("owners");
        StateFiles.privateDirectory(ownersDir, false);
        try {
            this.ownerLock = FileChannel.open(ownersDir.resolve(instanceId), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            ownerLock.lock();
            OPEN_HERE.add(instanceId);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the owner lock in " + ownersDir, e);
        }
        try {
            this.watcher = stateDir.getFileSystem().newWatchService();
        } catch (IOException e) {
            throw new UncheckedIOException("could not watch " + tasksDir + " for task ends", e);
        }
        this.sweeper = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "bgtasks-tmux-sweep"));
        sweeper.scheduleWithFixedDelay(this::sweepQuietly, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        daemon(this::watchLoop, "bgtasks-tmux-events").start();
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
        String name = launch.name();
        if (!SESSION_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("task name '" + name + "' cannot be a tmux session name; use 1 to 64 "
                    + "letters, digits, '_' and '-', not starting with '-'");
        }
        if (tools.perl() == null && launch.argv().get(0).indexOf('=') >= 0) {
            throw new IllegalArgumentException("program '" + launch.argv().get(0) + "' contains '=', which env(1) "
                    + "would take for a variable; without Perl the tmux backend cannot run it; install Perl, or rename the "
                    + "program or use a symbolic link");
        }
        Path dir = createTaskDirectory(launch.id());
        TmuxTask task = new TmuxTask(this, launch, dir);
        task.owned = true;
        try {
            Path script = dir.resolve("run.sh");
            Files.createFile(script, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.writeString(script, Wrapper.script(launch, dir, tools, Instant.now()));
            writeRecord(task, 0, 0); // pid 0: not accepted (yet), so no later JVM ever says go
            mkfifo(dir.resolve("go"));
            task.openGo();
            // Watch before starting: a task can end before new-session has even returned.
            task.watchKey = dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            byKey.put(task.watchKey, task);
            tasks.put(task.tag(), task);
            long pid = newSession(launch, task.tag(), dir, script);
            long start = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).map(Instant::toEpochMilli).orElse(0L);
            task.identify(pid, start);
            writeRecord(task, pid, start); // accepted: from now on the task is to run, whatever happens to this JVM
            task.accepted = true;
            task.sendGo();
        } catch (IOException | RuntimeException e) {
            abandon(task);
            if (e instanceof TmuxException te && te.duplicateSession()) {
                throw new IOException("a tmux session named '" + name + "' already exists on " + attachPrefix
                        + " (perhaps started by another JVM); choose another name or end that session", e);
            }
            throw e;
        }
        check(task, null);
        return task;
    }

    /**
     * Gives up a start: the wrapper, should its session exist now or later, never gets a go.
     * The FIFO is removed first, so a wrapper that has not opened it yet fails to; one that
     * has reads end of file once this JVM's end is closed, a moment later (so that a wrapper
     * caught between finding the FIFO and opening it cannot miss the end of file).
     */
    private void abandon(TmuxTask task) {
        task.accepted = false;
        WatchKey key = task.watchKey;
        if (key != null) {
            key.cancel();
            byKey.remove(key);
        }
        tasks.remove(task.tag(), task);
        StateFiles.deleteTree(task.dir());
        if (closed) {
            task.closeGo();
        } else {
            try {
                sweeper.schedule(task::closeGo, SETTLE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                task.closeGo(); // closed meanwhile
            }
        }
    }

    private void mkfifo(Path fifo) throws IOException {
        ProcessResult r;
        try {
            r = new ProcessExecutor(tools.mkfifo(), "-m", "600", fifo.toString()).readOutput(true).exitValueAny()
                    .timeout(TmuxClient.HELPER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).execute();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("mkfifo " + fifo + " did not finish within " + TmuxClient.HELPER_TIMEOUT_MILLIS / 1000 + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while creating " + fifo);
        }
        if (r.getExitValue() != 0) {
            throw new IOException("could not create the FIFO " + fifo + " (mkfifo exit " + r.getExitValue() + "): "
                    + r.outputUTF8().trim());
        }
    }

    /** Creates the task's state directory, mode 0700: named as the run, with a suffix if that is taken. */
    private Path createTaskDirectory(String id) throws IOException {
        for (int n = 1; ; n++) {
            Path dir = tasksDir.resolve(n == 1 ? id : id + "~" + n);
            try {
                return Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                // an earlier run with the same id, kept by a BackgroundTasks with another log directory
            }
        }
    }

    /**
     * Creates the session, its log pipe and its tag in one tmux call. With exit-empty, a server
     * whose last session just ended exits while a new client may already be talking to it
     * ("server exited unexpectedly"): then the call is repeated (a session on a server that
     * exited is gone with it, and its wrapper never got a go). If tmux gave no answer in time,
     * it may still create the session: it is asked once whether the session exists and is ours.
     *
     * @return the pane's pid (the wrapper's), once tmux has confirmed the session as this task's
     */
    private long newSession(Launch launch, String tag, Path dir, Path script) throws IOException {
        String name = launch.name();
        for (int attempt = 1; ; attempt++) {
            try {
                String[] f = tmux.run(List.of(
                        "new-session", "-d", "-P", "-F", "#{pid} #{pane_pid}", "-s", name, "-x", "200", "-y", "50",
                        "--", tools.env(), "-i", "/bin/sh", script.toString(),
                        ";", "pipe-pane", "-o", "-t", paneTarget(name), pipeCommand(launch.logFile(), dir),
                        ";", "set-option", "-t", paneTarget(name), "@bgtasks-id", tag)).trim().split(" ");
                if (f.length != 2) {
                    throw new IOException("tmux new-session answered '" + String.join(" ", f) + "', not a server and a "
                            + "pane pid");
                }
                tmux.serverPid(Long.parseLong(f[0]));
                return Long.parseLong(f[1]);
            } catch (TmuxException e) {
                if (e.timedOut() || e.duplicateSession()) {
                    // Perhaps it was carried out after all (or by an earlier attempt of ours): ask.
                    long pid;
                    try {
                        pid = ourPane(name, tag);
                    } catch (IOException again) {
                        e.addSuppressed(again);
                        throw e;
                    }
                    if (pid > 0) {
                        LOG.debug("task {} started although tmux reported: {}", launch.id(), e.getMessage());
                        return pid;
                    }
                    throw e;
                }
                if (!e.noServer() || attempt == 5) {
                    throw e;
                }
                LOG.debug("retrying the start of task {}: {}", launch.id(), e.getMessage());
            }
        }
    }

    /** @return the pid of the session's pane if the session exists and is the task's, else 0 */
    private long ourPane(String name, String tag) throws IOException {
        try {
            String[] f = tmux.run(List.of("display-message", "-p", "-t", paneTarget(name),
                    "#{@bgtasks-id} #{pid} #{pane_pid}")).trim().split(" ");
            if (f.length == 3 && f[0].equals(tag)) {
                tmux.serverPid(Long.parseLong(f[1]));
                return Long.parseLong(f[2]);
            }
            return 0;
        } catch (TmuxException e) {
            if (e.noServer() || e.noSession()) {
                return 0;
            }
            throw e;
        }
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
        List<TmuxTask> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tasksDir)) {
            for (Path dir : dirs) {
                String id = dir.getFileName().toString();
                if (tasks.containsKey(id) || !Files.isRegularFile(dir.resolve("task.properties"))) {
                    continue;
                }
                TmuxTask t;
                try {
                    t = readRecord(dir);
                    if (t == null) {
                        continue;
                    }
                    String owner = recordedOwner(dir);
                    boolean ownerOpen = ownerOpen(owner);
                    if (!t.accepted && ownerOpen) {
                        continue; // being started by its owner right now
                    }
                    t.owned = !ownerOpen && claim(t, owner);
                    if (t.owned && !t.accepted) {
                        t.complete(ExitStatus.lost("its start was never confirmed: the JVM that started it ended "
                                + "first, so the command was never run"));
                        wakeUnanswered(dir);
                    } else if (t.owned && !Files.exists(dir.resolve("started")) && !Files.exists(dir.resolve("exit"))
                            && Files.exists(dir.resolve("go"))) {
                        // Accepted, but the owner went before the wrapper read its go: give it again.
                        t.openGo();
                        t.sendGo();
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("ignoring the unreadable task record in {}: {}", dir, e.toString());
                    continue;
                }
                t.watchKey = dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
                byKey.put(t.watchKey, t);
                tasks.put(id, t);
                found.add(t);
            }
        }
        found.sort(Comparator.comparing(t -> t.launch().startedAt()));
        Set<String> live = liveIds();
        for (TmuxTask t : found) {
            check(t, x -> live != null && live.contains(x.tag()));
        }
        return List.copyOf(found);
    }

    /** Lets a wrapper that waits for a go that will never come read end of file (open, close). */
    private static void wakeUnanswered(Path dir) {
        try (FileChannel c = FileChannel.open(dir.resolve("go"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            LOG.debug("told the wrapper in {} that its start was never confirmed", dir);
        } catch (IOException e) {
            // no FIFO: nobody can wait on it
        }
    }

    /** @return the owner recorded for the task, or {@code null} (a record of an older version) */
    private static String recordedOwner(Path dir) throws IOException {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(dir.resolve("task.properties"), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p.getProperty("owner");
    }

    /**
     * Tells whether the backend instance with the id is open: one of this JVM's, or one of
     * another JVM that still holds the lock on its file in {@code owners/} (the kernel releases
     * it when that JVM dies). A file left by a JVM that died is removed.
     */
    private boolean ownerOpen(String owner) {
        if (owner == null || owner.isEmpty() || owner.contains("/")) {
            return false;
        }
        if (owner.equals(instanceId)) {
            return !closed;
        }
        if (OPEN_HERE.contains(owner)) {
            return true;
        }
        Path file = ownersDir.resolve(owner);
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = c.tryLock();
            if (lock == null) {
                return true;
            }
            Files.deleteIfExists(file); // its JVM died: the lock was free
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // this JVM holds it (an instance being opened or closed right now)
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            LOG.debug("could not tell whether the owner {} of a tmux task is open; assuming it is", owner, e);
            return true;
        }
    }

    /**
     * Takes over a task whose owner has gone. Exactly one instance wins: the one that creates
     * the claim file named after the gone owner first. It then records itself as the owner.
     */
    private boolean claim(TmuxTask t, String goneOwner) {
        try {
            Files.createFile(t.dir().resolve("claimed-from-" + (goneOwner == null ? "none" : goneOwner)));
            writeRecord(t, t.pid().orElse(0), t.pidStartMillis());
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            LOG.debug("could not take over the tmux task in {}", t.dir(), e);
            return false;
        }
    }

    /**
     * Stops watching. Tasks keep running; a new backend on the same socket finds them again.
     * If the server has exited (it does with its last session), its socket file is removed:
     * tmux leaves it behind.
     */
    @Override
    public void close() {
        // A wrapper that has not read its go yet still gets it: its FIFO stays open until it has
        // (a matter of milliseconds), as long as the watcher still reports it.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS);
        for (TmuxTask t : tasks.values()) {
            if (t.accepted && !t.isDone()) {
                try {
                    CompletableFuture.anyOf(t.started, t.exit()).get(Math.max(0, deadline - System.nanoTime()),
                            TimeUnit.NANOSECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    // not started in time: a later JVM gives the go again
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        closed = true;
        sweeper.shutdownNow();
        try {
            watcher.close();
        } catch (IOException e) {
            LOG.debug("closing the watch service failed", e);
        }
        tasks.values().forEach(TmuxTask::closeGo);
        OPEN_HERE.remove(instanceId);
        try {
            Files.deleteIfExists(ownersDir.resolve(instanceId));
            ownerLock.close();
        } catch (IOException e) {
            LOG.debug("could not remove the owner lock of {}", this, e);
        }
        removeStaleSocket();
    }

    /** Deletes the socket file if no server listens on it (a refused connection says so). */
    private void removeStaleSocket() {
        if (socketFile == null || !Files.exists(socketFile, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            SocketChannel.open(UnixDomainSocketAddress.of(socketFile)).close(); // a server answers: leave it
        } catch (ConnectException e) {
            StateFiles.deleteQuietly(socketFile);
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not probe the tmux socket {}", socketFile, e);
        }
    }

    /** Where {@code tmux -L name} puts its socket: {@code $TMUX_TMPDIR/tmux-<uid>/name}. */
    private static Path socketOfName(String name) {
        try {
            String dir = System.getenv().getOrDefault("TMUX_TMPDIR", "/tmp");
            return Path.of(dir.isEmpty() ? "/tmp" : dir, "tmux-" + StateFiles.myUid(), name);
        } catch (IOException | RuntimeException e) {
            return null; // not knowable here: the file stays, as tmux leaves it
        }
    }

    @Override
    public String toString() {
        return "TmuxBackend{" + attachPrefix + ", state in " + stateDir + "}";
    }

    // ---- used by TmuxTask ----

    TmuxClient tmux() {
        return tmux;
    }

    String attachCommand(String name) {
        return attachPrefix + " attach -t '=" + name + "'";
    }

    /** An exact target for the session's (only) pane: {@code =name:}, never a prefix match. */
    static String paneTarget(String name) {
        return "=" + name + ":";
    }

    /** Sends a signal Java cannot send itself (SIGCONT) with kill(1); failures only matter to logs. */
    void signal(String signal, long pid) {
        if (killCommand == null) {
            return;
        }
        try {
            new ProcessExecutor(killCommand, "-s", signal, Long.toString(pid))
                    .timeout(TmuxClient.HELPER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).exitValueAny().execute();
        } catch (Exception e) {
            LOG.debug("kill -s {} {} failed", signal, pid, e);
        }
    }

    /** Kills the task's session, if it is still the task's (same {@code @bgtasks-id}). */
    void killSession(TmuxTask t) {
        if (t.isDone() || closed) {
            return;
        }
        String name = t.launch().name();
        try {
            String owner = tmux.run(List.of("display-message", "-p", "-t", paneTarget(name), "#{@bgtasks-id}")).trim();
            if (owner.equals(t.tag())) {
                tmux.run(List.of("kill-session", "-t", "=" + name));
            }
        } catch (TmuxException e) {
            if (!e.noServer() && !e.noSession()) {
                LOG.warn("could not kill the tmux session of task {}: {}", t.launch().id(), e.getMessage());
            }
        } catch (IOException e) {
            LOG.warn("could not kill the tmux session of task {}: {}", t.launch().id(), e.getMessage());
        }
    }

    /** Gives the wrapper a moment to record a SIGKILLed task's end, then kills its session. */
    void killSessionLater(TmuxTask t) {
        if (!closed) {
            sweeper.schedule(() -> killSession(t), 2, TimeUnit.SECONDS);
        }
    }

    /**
     * Forgets a finished task. Its state is deleted only by its owner, or by an instance that
     * takes it over now because the owner has gone: another instance that still watches it
     * (the one that started it, say) must find its exit record.
     */
    void release(TmuxTask t) {
        tasks.remove(t.tag(), t);
        WatchKey key = t.watchKey;
        if (key != null) {
            key.cancel();
            byKey.remove(key);
        }
        t.closeGo();
        boolean mine = t.owned;
        if (!mine) {
            try {
                String owner = recordedOwner(t.dir());
                mine = instanceId.equals(owner) || (!ownerOpen(owner) && claim(t, owner));
            } catch (IOException e) {
                mine = false; // gone already, or unreadable: not ours to delete
            }
        }
        if (mine) {
            StateFiles.deleteTree(t.dir());
        }
    }

    // ---- noticing ends ----

    private void watchLoop() {
        while (true) {
            WatchKey key;
            try {
                key = watcher.take();
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            }
            boolean overflow = key.pollEvents().stream().anyMatch(e -> e.kind() == StandardWatchEventKinds.OVERFLOW);
            TmuxTask t = byKey.get(key);
            try {
                if (overflow) {
                    sweepQuietly();
                } else if (t != null) {
                    check(t, null);
                }
            } catch (RuntimeException e) {
                LOG.warn("checking task {} failed", t, e);
            }
            if (!key.reset()) {
                byKey.remove(key);
            }
        }
    }

    /**
     * The safety net for missed file events. It reads each open task's files and looks at its
     * wrapper, and asks tmux (one listing for all) only about tasks that neither shows to run
     * or to have ended, so a sweep over running tasks costs no tmux call at all.
     */
    private void sweepQuietly() {
        try {
            long snapshot = System.nanoTime();
            Sessions sessions = new Sessions();
            for (TmuxTask t : tasks.values()) {
                if (!t.isDone() && t.registeredNanos < snapshot) {
                    check(t, sessions);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("the sweep over tmux tasks on {} failed: {}", attachPrefix, e.toString());
        }
    }

    /** Tells whether a task's session exists; asked only where files and processes leave it open. */
    @FunctionalInterface
    private interface Liveness {
        /** @return whether the session exists; {@code true} where that cannot be told now */
        boolean exists(TmuxTask t);
    }

    /** One {@code list-sessions} for a whole sweep, made only if some task needs it. */
    private final class Sessions implements Liveness {
        private Set<String> live;
        private boolean asked;
        private boolean failed;

        @Override
        public boolean exists(TmuxTask t) {
            if (!asked) {
                asked = true;
                try {
                    live = liveIds();
                } catch (IOException e) {
                    failed = true;
                    LOG.debug("could not list the tmux sessions on {}", attachPrefix, e);
                }
            }
            return failed || (live != null && live.contains(t.tag()));
        }
    }

    /** @return the {@code @bgtasks-id} of every live session, or {@code null} if no server runs */
    private Set<String> liveIds() throws IOException {
        try {
            return new HashSet<>(List.of(tmux.run(List.of("list-sessions", "-F", "#{@bgtasks-id}")).split("\n")));
        } catch (TmuxException e) {
            if (e.noServer()) {
                return null;
            }
            throw e;
        }
    }

    /**
     * Decides whether the task has ended. The wrapper writes {@code exit}, then SIGKILLs what is
     * left of its group (itself included), which closes the pane; the {@code closed} marker
     * appears once the log has everything. A record, the marker and a dead wrapper (a zombie
     * counts: tmux 3.3a can be slow to reap) mean the end is complete. A record without the
     * rest is reported after {@link #SETTLE_MILLIS} (a process that escaped the group can keep
     * the pane open). No record, a dead wrapper and a session gone for {@link #SETTLE_MILLIS}
     * mean the end was never recorded: lost. Only that last case asks tmux anything.
     *
     * @param sessions tells whether the session exists; {@code null} to ask tmux about this task
     */
    private void check(TmuxTask t, Liveness sessions) {
        synchronized (t) {
            if (t.isDone() || !t.accepted) {
                return; // not accepted: the launch is still under way (or was given up), nothing runs
            }
            Path dir = t.dir();
            if (!t.started.isDone() && Files.exists(dir.resolve("started"))) {
                t.started.complete(null);
                t.closeGo(); // the wrapper has read it
                // The shell has the script open; its copy of the environment (secrets, maybe)
                // need not stay on disk for the task's whole life.
                StateFiles.deleteQuietly(dir.resolve("run.sh"));
            }
            String record = StateFiles.read(dir.resolve("exit"));
            boolean logClosed = Files.exists(dir.resolve("closed"));
            if (record != null) {
                long now = System.nanoTime();
                if (t.exitSeenNanos == 0) {
                    t.exitSeenNanos = now;
                }
                boolean waited = now - t.exitSeenNanos >= TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS);
                if (waited || (logClosed && t.wrapper().isEmpty())) {
                    t.complete(status(t, record, Files.exists(dir.resolve("timedout"))));
                } else if (!closed && logClosed) {
                    // Recorded, but the wrapper is still sweeping the group: it is a matter of milliseconds.
                    schedule(() -> check(t, null), 5);
                } else if (!closed && t.exitSeenNanos == now) {
                    schedule(() -> check(t, null), SETTLE_MILLIS);
                }
                return;
            }
            if (t.wrapper().isPresent()) {
                return; // the wrapper runs (it may just be recording the end)
            }
            if (t.goneSeenNanos == 0 && (sessions == null ? sessionExists(t) : sessions.exists(t))) {
                return;
            }
            // Gone without a record. Give a wrapper that is on its way out a moment to record.
            long now = System.nanoTime();
            if (t.goneSeenNanos == 0) {
                t.goneSeenNanos = now;
                if (!closed) {
                    schedule(() -> check(t, null), SETTLE_MILLIS);
                }
            } else if (now - t.goneSeenNanos >= TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS)) {
                t.complete(ExitStatus.lost("the task's wrapper ended without recording an exit status: it was "
                        + "killed before it could (by SIGKILL, or by a hangup the moment it started) or the machine "
                        + "restarted; tmux session '" + t.launch().name() + "' is gone"
                        + (serverRuns() ? "" : ", and no tmux server runs")));
            }
        }
    }

    private void schedule(Runnable r, long millis) {
        try {
            sweeper.schedule(r, millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile: the next JVM decides
        }
    }

    private ExitStatus status(TmuxTask t, String record, boolean timedOut) {
        String[] f = record.trim().split(" ");
        ExitStatus s;
        try {
            int n = Integer.parseInt(f[1]);
            s = f[0].equals("signal") ? ExitStatus.signaled(n) : ExitStatus.exited(n);
        } catch (RuntimeException e) {
            return ExitStatus.lost("the task's exit record '" + record.trim() + "' in " + t.dir() + " is unreadable");
        }
        if (f.length > 2 && f[2].equals("hangup") && s.signal().isPresent() && !t.stopRequested) {
            // A hangup ended it: nobody asked through this library, so say what happened.
            s = ExitStatus.lost((serverRuns()
                    ? "its tmux session was killed (for example with tmux kill-session)"
                    : "the tmux server exited or was killed while the task ran")
                    + ", so its terminal hung up; it ended with signal " + s.signal().getAsInt());
        }
        return timedOut ? s.asTimedOut() : s;
    }

    /** Asks tmux about this one session (not a listing of all): whether it exists and is the task's. */
    private boolean sessionExists(TmuxTask t) {
        try {
            return ourPane(t.launch().name(), t.tag()) > 0;
        } catch (IOException e) {
            return true; // unknown: let the next sweep decide
        }
    }

    private boolean serverRuns() {
        try {
            return liveIds() != null;
        } catch (IOException e) {
            return true;
        }
    }

    // ---- the state directory ----

    private void writeRecord(TmuxTask t, long pid, long pidStart) throws IOException {
        Launch l = t.launch();
        Properties p = new Properties();
        p.setProperty("id", l.id());
        p.setProperty("name", l.name());
        p.setProperty("argc", Integer.toString(l.argv().size()));
        for (int i = 0; i < l.argv().size(); i++) {
            p.setProperty("arg." + i, l.argv().get(i));
        }
        p.setProperty("workingDirectory", l.workingDirectory().toString());
        p.setProperty("logFile", l.logFile().toString());
        p.setProperty("startedAt", l.startedAt().toString());
        l.timeout().ifPresent(d -> p.setProperty("timeout", d.toString()));
        p.setProperty("stopGracePeriod", l.stopGracePeriod().toString());
        p.setProperty("socket", attachPrefix);
        p.setProperty("pid", Long.toString(pid));
        p.setProperty("pidStartMillis", Long.toString(pidStart));
        p.setProperty("owner", instanceId);
        java.io.StringWriter w = new java.io.StringWriter();
        p.store(w, "bgtasks tmux task record");
        StateFiles.writeAtomically(t.dir().resolve("task.properties"), w.toString());
    }

    /** @return the task recorded in the directory, or {@code null} if it belongs to another server */
    private TmuxTask readRecord(Path dir) throws IOException {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(dir.resolve("task.properties"), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        if (!attachPrefix.equals(p.getProperty("socket"))) {
            LOG.warn("ignoring task record {}: it belongs to the tmux server '{}', not '{}'; give each socket its own "
                    + "state directory", dir, p.getProperty("socket"), attachPrefix);
            return null;
        }
        List<String> argv = new ArrayList<>();
        int argc = Integer.parseInt(p.getProperty("argc"));
        for (int i = 0; i < argc; i++) {
            argv.add(Objects.requireNonNull(p.getProperty("arg." + i), "arg." + i));
        }
        String timeout = p.getProperty("timeout");
        Launch l = Launch.builder(p.getProperty("id"), p.getProperty("name"), argv)
                .workingDirectory(Path.of(p.getProperty("workingDirectory")))
                .logFile(Path.of(p.getProperty("logFile")))
                .startedAt(Instant.parse(p.getProperty("startedAt")))
                .timeout(timeout == null ? null : Duration.parse(timeout))
                .stopGracePeriod(Duration.parse(p.getProperty("stopGracePeriod")))
                .build();
        TmuxTask t = new TmuxTask(this, l, dir);
        long pid = Long.parseLong(p.getProperty("pid", "0"));
        t.identify(pid, Long.parseLong(p.getProperty("pidStartMillis", "0")));
        // A record without the owner property is from a version without go FIFOs: always accepted.
        t.accepted = pid > 0 || p.getProperty("owner") == null;
        return t;
    }

    /**
     * The {@code pipe-pane} command: appends the pane's bytes to the log, then marks the log
     * complete. tmux runs it with {@code /bin/sh -c} after format expansion, so the paths are
     * shell-quoted and every {@code #} is doubled.
     *
     * <p>Opening the log can never block: it is opened read-write first ({@code 3<>}, which
     * returns at once even for a FIFO), appended to only if that descriptor is a regular file,
     * and never created (a start that failed has had its log removed). Otherwise the pane's
     * output is read and dropped, so that the task still runs and its end is still noticed.
     */
    private static String pipeCommand(Path log, Path dir) {
        String l = Wrapper.quote(log.toString());
        String cmd = "if [ -f " + l + " ]; then { [ -f /dev/fd/3 ] && cat >> /dev/fd/3; } 3<> " + l + "; fi; "
                + "cat > /dev/null; : > " + Wrapper.quote(dir.resolve("closed").toString());
        return cmd.replace("#", "##");
    }

    private static String firstExecutable(String... candidates) {
        for (String c : candidates) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        return null;
    }

    private static String required(String path, String tool) {
        if (path == null) {
            throw new IllegalStateException("the tmux backend needs " + tool + " in /usr/bin or /bin; install coreutils");
        }
        return path;
    }

    /** GNU env 8.31+ can reset signals; without it, Ctrl-C cannot reach a task (documented). */
    private static boolean supportsDefaultSignal(String env) {
        try {
            return new ProcessExecutor(env, "--default-signal=INT", "true")
                    .timeout(TmuxClient.HELPER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).exitValueAny().execute().getExitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this TmuxBackend is closed; create a new one");
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
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
        private Duration noProgress;
        private boolean perl = true;

        private Builder() {
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

        /** Primarily for tests: how long nothing may move before a tmux command counts as wedged. */
        Builder noProgressLimit(Duration limit) {
            this.noProgress = limit;
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
                    + (tmuxTimeout != null ? ", tmuxTimeout=" + tmuxTimeout : "") + "}";
        }
    }
}
