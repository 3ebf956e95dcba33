package io.github.bgtasks.process;

import io.github.bgtasks.internal.posix.DaemonThreads;
import io.github.bgtasks.internal.posix.Executables;
import io.github.bgtasks.internal.posix.PrivateFiles;
import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process backend with nothing but the JDK: each task is the JVM's own child, started by
 * {@link ProcessBuilder} with its output appended straight to its log file (no Java thread per
 * stream). Where {@code setsid} (util-linux or BusyBox) is on the JVM's {@code PATH}, the task
 * runs through it: the JVM's child is never a process group leader, so {@code setsid} calls
 * {@code setsid(2)} and executes the task in place (no fork, no flag needed), and the task's pid
 * is its session and process group, as with the Perl helper. Without {@code setsid}, the task
 * stays in the JVM's process group and its tree is found through
 * {@link ProcessHandle#descendants()}.
 *
 * <p>Costs and limits against the Perl helper: the JDK keeps one "process reaper" thread per
 * running task (unavoidable: it is the JVM's child); a task with input it has not read yet holds
 * one writer thread; tasks are not stopped when the JVM is killed with SIGKILL (a normal exit
 * stops them through the shutdown hook); no SIGCONT follows SIGTERM (the JDK cannot send it),
 * so a stopped process ends only at the SIGKILL after the grace period.
 */
final class JdkSpawner implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(JdkSpawner.class);

    /** How long the end of a task waits for others to share its leftover sweep. */
    static final long SWEEP_BATCH_MILLIS = 20;
    /**
     * The least time between the starts of two leftover sweeps. A sweep reads every process's
     * {@code /proc/<pid>/stat} (about 2-3 ms of CPU with 200 processes on the machine); tasks
     * that end one after another every few milliseconds would otherwise pay a sweep each few
     * tasks, 0.4 ms of CPU per task measured (issue 8), on the cores their starts need.
     */
    static final long SWEEP_MIN_INTERVAL_MILLIS = 200;

    private final Optional<Path> setsid;
    private final Spawner.Settings settings;
    /** SIGKILL deadlines and leftover sweeps of all tasks: one thread at most, none while idle. */
    final ScheduledThreadPoolExecutor timers;
    /** Writes input that a task has not read yet: a thread per such task, none while idle. */
    final ThreadPoolExecutor writers;
    private final Set<JdkTask> tasks = ConcurrentHashMap.newKeySet();
    /** Tasks that ended and wait for the next leftover sweep; guarded by itself. */
    private final List<JdkTask> endedTasks = new ArrayList<>();
    /** When the last sweep began ({@link System#nanoTime()}); guarded by {@link #endedTasks}. */
    private long lastSweepNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(SWEEP_MIN_INTERVAL_MILLIS);
    private volatile boolean closed;

    /**
     * @param setsid the {@code setsid} program, or empty to keep tasks in the JVM's process group
     * @param settings the input bound and wait ({@link Spawner.Settings#inputBound()}, {@link Spawner.Settings#inputWait()})
     */
    JdkSpawner(Optional<Path> setsid, Spawner.Settings settings) {
        this.setsid = setsid;
        this.settings = settings;
        this.timers = new ScheduledThreadPoolExecutor(1, DaemonThreads.factory("bgtasks-process-sweep"));
        timers.setKeepAliveTime(5, TimeUnit.SECONDS);
        timers.allowCoreThreadTimeOut(true);
        timers.setRemoveOnCancelPolicy(true);
        this.writers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 5, TimeUnit.SECONDS, new SynchronousQueue<>(),
                DaemonThreads.factory("bgtasks-process-input"));
    }

    /** @return a backend that uses {@code setsid} if the JVM's {@code PATH} (or /usr/bin, /bin) has it */
    static JdkSpawner create() {
        return new JdkSpawner(findSetsid(), Spawner.Settings.DEFAULTS);
    }

    static Optional<Path> findSetsid() {
        return Executables.find("setsid", Path.of("/"), Perl.searchPath());
    }

    /** @return whether tasks get a session of their own */
    boolean ownSessions() {
        return setsid.isPresent();
    }

    /** @return what this strategy guarantees less than the Perl helper, for the one warning */
    String limits() {
        return "one JDK reaper thread per running task; tasks are not stopped if the JVM is killed with SIGKILL"
                + " (a normal JVM exit stops them); no SIGCONT after SIGTERM"
                + (setsid.isPresent() ? "" : "; and as setsid was not found either, tasks stay in the JVM's process"
                        + " group, their trees are found through their parent links only (processes whose parent"
                        + " has died are missed), and what a task leaves behind when it exits is not stopped");
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    public BackendTask launch(Launch launch) throws IOException {
        if (closed) {
            throw new IOException("the process backend is closed");
        }
        List<String> argv = launch.argv();
        List<String> command = new ArrayList<>(argv.size() + 1);
        String program = argv.get(0);
        if (setsid.isPresent()) {
            command.add(setsid.get().toString());
            // setsid finds the program on the task's own PATH; a name that looks like an option is given as a path
            command.add(program.startsWith("-") ? resolve(launch, program) : program);
        } else {
            // the JDK would look the name up on the JVM's PATH, not the task's
            command.add(program.indexOf('/') >= 0 ? program : resolve(launch, program));
        }
        command.addAll(argv.subList(1, argv.size()));
        checkLog(launch.logFile());
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(launch.workingDirectory().toFile())
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(launch.logFile().toFile()));
        if (!JvmEnvironment.isIt(launch.environment())) {
            // else the child inherits the JVM's environment as it is, without a copy per start
            pb.environment().clear();
            pb.environment().putAll(launch.environment());
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IOException("could not start " + program + ": " + e.getMessage(), e);
        }
        JdkTask task = new JdkTask(this, launch, process, settings, setsid.isPresent());
        tasks.add(task);
        task.watch();
        return task;
    }

    /**
     * Refuses a log that is not a regular file of ours, as the helper does: the JDK opens the
     * file in the JVM, where a FIFO without reader would block the launch. (The core's log
     * directory is the user's own and writable by no one else, so nothing swaps the file
     * between this check and the open.)
     */
    private static void checkLog(Path log) throws IOException {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(log, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new IOException("cannot open log file " + log + ": " + e.getMessage(), e);
        }
        String why = a.isSymbolicLink() ? "it is a symbolic link, not a regular file"
                : a.isOther() && isFifo(log) ? "it is a FIFO, not a regular file"
                : !a.isRegularFile() ? "it is not a regular file"
                : !PrivateFiles.isOurs(log, a) ? "it is owned by " + owner(log, a) + ", not by " + me() + ", which runs the tasks"
                : null;
        if (why != null) {
            throw new IOException("cannot open log file " + log + ": " + why);
        }
    }

    private static String me() {
        OptionalInt uid = PrivateFiles.effectiveUid();
        return uid.isPresent() ? "uid " + uid.getAsInt() : PrivateFiles.me();
    }

    private static boolean isFifo(Path p) {
        try {
            return ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000) == 0010000;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String owner(Path p, PosixFileAttributes a) {
        try {
            return "uid " + Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return a.owner().getName();
        }
    }

    private static String resolve(Launch launch, String program) throws IOException {
        if (program.indexOf('/') >= 0) {
            return launch.workingDirectory().resolve(program).toString();
        }
        return Executables.find(program, launch.workingDirectory(), launch.environment().get("PATH"))
                .orElseThrow(() -> new IOException("program '" + program + "' was not found on the task's PATH"))
                .toString();
    }

    /**
     * Has what {@code task} left behind found and ended, soon: the tasks that end within
     * {@link #SWEEP_BATCH_MILLIS} share one pass over {@code /proc}, which costs more than
     * starting a short task (issue 8), and passes are at least {@link #SWEEP_MIN_INTERVAL_MILLIS}
     * apart, so a stream of short tasks shares one pass per interval.
     *
     * @return false if the backend is closed and nothing is swept any more
     */
    boolean sweepAfterEnd(JdkTask task) {
        synchronized (endedTasks) {
            endedTasks.add(task);
            if (endedTasks.size() > 1) {
                return true; // a sweep is scheduled already
            }
            long sinceLast = System.nanoTime() - lastSweepNanos;
            long delay = Math.max(TimeUnit.MILLISECONDS.toNanos(SWEEP_BATCH_MILLIS),
                    TimeUnit.MILLISECONDS.toNanos(SWEEP_MIN_INTERVAL_MILLIS) - sinceLast);
            try {
                timers.schedule(this::sweepEnded, delay, TimeUnit.NANOSECONDS);
                return true;
            } catch (RejectedExecutionException e) {
                endedTasks.clear();
                return false;
            }
        }
    }

    private void sweepEnded() {
        List<JdkTask> batch;
        synchronized (endedTasks) {
            batch = List.copyOf(endedTasks);
            endedTasks.clear();
            lastSweepNanos = System.nanoTime();
        }
        long[] sids = new long[batch.size()];
        Set<Long> sessions = new HashSet<>();
        for (int i = 0; i < sids.length; i++) {
            sids[i] = batch.get(i).leftoverSession().orElse(-1);
            if (sids[i] > 0) {
                sessions.add(sids[i]);
            }
        }
        Map<Long, List<ProcessHandle>> members = Sessions.members(sessions);
        for (int i = 0; i < sids.length; i++) {
            JdkTask t = batch.get(i);
            try {
                t.sweepAfterEnd(members.getOrDefault(sids[i], List.of()));
            } catch (RuntimeException e) {
                LOG.warn("task {}: ending what it left behind failed", t.launch().id(), e);
            }
        }
    }

    /** The task ended and its leftovers are dealt with: nothing more to wait for at close. */
    void done(JdkTask task) {
        tasks.remove(task);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long wait = tasks.stream().mapToLong(t -> t.launch().stopGracePeriod().toMillis()).max().orElse(0) + 5_000;
        for (JdkTask t : List.copyOf(tasks)) {
            t.closedWhileRunning();
        }
        // leftovers of ended tasks still get their SIGKILL at their deadline: wait for those (bounded)
        for (JdkTask t : List.copyOf(tasks)) {
            t.awaitSwept(wait);
        }
        timers.shutdown();
        writers.shutdown();
        LOG.debug("JDK process backend closed");
    }

    @Override
    public String toString() {
        return "process backend (JDK" + (setsid.isPresent() ? ", setsid" : ", no setsid") + ")";
    }
}
