package io.github.bgtasks.process;

import io.github.bgtasks.spi.Backend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plain-process backend: each task is an OS process in its own session and process group,
 * so that stopping it reaches its whole tree, with its output going straight into its log file.
 * It has two strategies; {@link #create()} picks the best one that can run here.
 *
 * <p><b>The Perl helper</b> ({@link #perl()}, the default where Perl is installed): tasks are
 * started and reaped by one small helper process per backend, a Perl script that ships inside
 * this jar (Perl is part of every Debian, Ubuntu, RHEL and macOS base system). The JVM only
 * exchanges short messages with it, so a thousand running tasks cost the JVM no thread each:
 * one thread reads the helper's replies for all tasks. If the JVM dies without closing the
 * backend, the helper stops every task (SIGTERM, grace period, SIGKILL) and exits, so no task is
 * left behind, even after {@code kill -9} of the JVM (detached tasks excepted: see below). If the helper itself dies, the JVM ends
 * its tasks through their sessions (SIGTERM, grace period, SIGKILL), reports them LOST, logs the
 * loss once, and starts a new helper for the next task. Input sent to a task waits in the helper
 * until the task reads it, up to 1 MiB per task; beyond that, sending waits for the task to
 * read, and fails after 30 s without progress.
 *
 * <p><b>The JDK alone</b> ({@link #jdk()}, the default where Perl is missing, such as Alpine and
 * distroless images): each task is the JVM's child, started with {@link ProcessBuilder}, its
 * output appended straight to its log file. With {@code setsid} on {@code PATH} (util-linux or
 * BusyBox) it gets a session of its own, as with the helper; without, it stays in the JVM's
 * process group and its tree is found through {@link ProcessHandle#descendants()}. It costs one
 * JDK reaper thread per running task (and a writer thread per task with input it has not read
 * yet), tasks are not stopped when the JVM is killed with SIGKILL (a normal JVM exit stops
 * them through the shutdown hook), and SIGTERM comes without SIGCONT. Input has the same bound.
 *
 * <p><b>Detached tasks</b> ({@link #detached()}): every task of such a backend keeps running
 * when its JVM ends, however it ends, and a later JVM finds it again, as with the tmux backend:
 * a {@code BackgroundTasks} built on a detached backend lists the tasks that earlier JVMs
 * started (running, or ended with their exit status) and can read their output, stop and kill
 * them. Each task is recorded in a state directory shared by every JVM of the user. The helper
 * that started them stays after its JVM has gone for as long as one of them runs, and only
 * then: it records each one's exit status and enforces its timeout. A task found again cannot
 * be sent input (its standard input stayed with the JVM that started it).
 *
 * <p>This class is thread-safe; so are the backends it creates.
 */
public final class ProcessBackend {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessBackend.class);
    /** The fallback to the JDK strategy is logged once per JVM, not once per backend. */
    private static final AtomicBoolean FALLBACK_LOGGED = new AtomicBoolean();

    private ProcessBackend() {
    }

    /**
     * Creates a process backend with the best strategy that can run here: the Perl helper if
     * {@code perl} is on {@code PATH} (or in /usr/bin, /bin), else the JDK alone, with one
     * warning per JVM that says what that strategy does not guarantee.
     *
     * @return the backend, to pass to {@code BackgroundTasks.builder().backend(...)}
     * @throws UncheckedIOException if Perl was found but the helper could not be started; the
     *     message names the {@code perl} program, its exit status or signal, and what it printed
     *     on stderr (a perl that does not answer within 60 s is killed and reported as wedged).
     *     {@link #jdk()} runs without it.
     */
    public static Backend create() {
        return create(Perl.searchPath());
    }

    /** {@link #create()}, looking for Perl on {@code perlSearchPath} (tests simulate a missing Perl). */
    static Backend create(String perlSearchPath) {
        Optional<Path> perl = Perl.locate(perlSearchPath);
        if (perl.isPresent()) {
            return startHelper(perl.get());
        }
        JdkSpawner jdk = JdkSpawner.create();
        if (FALLBACK_LOGGED.compareAndSet(false, true)) {
            LOG.warn("{}, so the bgtasks process backend runs tasks with the JDK alone{}: {}. Install Perl for the"
                    + " full guarantees (Alpine: apk add perl), or choose ProcessBackend.jdk() to silence this",
                    Perl.missing(perlSearchPath), jdk.ownSessions() ? " and setsid" : "", jdk.limits());
        }
        return jdk;
    }

    /**
     * Creates a process backend that runs its tasks through the Perl helper.
     *
     * @return the backend
     * @throws IllegalStateException if Perl cannot be found on {@code PATH} (or in /usr/bin, /bin)
     * @throws UncheckedIOException if the helper could not be started (see {@link #create()})
     */
    public static Backend perl() {
        return startHelper(Perl.find());
    }

    /**
     * Creates a process backend that needs nothing but the JDK (and uses {@code setsid} if it is
     * on {@code PATH}): for machines without Perl, or to keep tasks the JVM's own children.
     *
     * @return the backend; it starts no process of its own
     */
    public static Backend jdk() {
        return JdkSpawner.create();
    }

    /**
     * Creates a process backend whose tasks are detached: they outlive the JVM, and a later
     * JVM's detached backend finds them again (see the class description). Tasks are recorded
     * in {@code $XDG_STATE_HOME/bgtasks/process}, or {@code ~/.local/state/bgtasks/process}.
     *
     * <p>Detachment is a property of the backend, not of each task, as it is for tmux: it
     * decides where a task's record lives and whether closing leaves tasks running
     * ({@code Backend.keepsTasksOnClose()}), and a later JVM finds what the backend recorded.
     * Use two {@code BackgroundTasks}, one on {@link #create()}, to run some tasks tied to the
     * JVM and some not.
     *
     * @return the backend
     * @throws IllegalStateException if Perl cannot be found: the helper is what records the
     *     end of a task when no JVM is left to see it
     * @throws IllegalArgumentException if the state directory is not private to the user (mode
     *     0700, owned by the user) or is not a directory; the message names it and the fix
     * @throws UncheckedIOException if the helper could not be started (see {@link #create()})
     */
    public static Backend detached() {
        return detached(StateDirectory.defaultPath(System.getenv(), System.getProperty("user.home")));
    }

    /**
     * Creates a process backend whose tasks are detached (see {@link #detached()}), recorded
     * in the given state directory: every JVM that should see the same tasks uses the same one.
     *
     * @param stateDirectory the state directory; created with mode 0700 if missing
     * @return the backend
     * @throws NullPointerException if {@code stateDirectory} is null
     * @throws IllegalStateException if Perl cannot be found
     * @throws IllegalArgumentException if the state directory exists but is not a directory,
     *     belongs to another user, or is open to others (its mode is not 0700), or its parent
     *     can be written by others; the message names it and the fix
     * @throws UncheckedIOException if the helper could not be started, or the directory created
     */
    public static Backend detached(Path stateDirectory) {
        Objects.requireNonNull(stateDirectory, "state directory must not be null");
        StateDirectory state = StateDirectory.open(stateDirectory); // before the helper: a bad directory starts nothing
        Path perl = Perl.locate(Perl.searchPath()).orElseThrow(() -> new IllegalStateException(
                Perl.missing(Perl.searchPath()) + ": detached tasks need the Perl helper, which records their exit when"
                        + " no JVM is left to see it; install Perl (Alpine: apk add perl)"));
        try {
            return new Spawner(perl, Spawner.Settings.DEFAULTS, state);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the bgtasks process helper: " + e.getMessage(), e);
        }
    }

    private static Backend startHelper(Path perl) {
        try {
            return new Spawner(perl);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the bgtasks process helper: " + e.getMessage()
                    + "; ProcessBackend.jdk() runs tasks without Perl", e);
        }
    }
}
