package io.github.bgtasks.tmux.internal;

import io.github.bgtasks.internal.posix.ProcStat;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task in its own tmux session, named exactly as the task. Its wrapper (the pane's
 * process, leader of the task's process group) is identified by pid and start time, so a
 * recycled pid is never signalled. It holds its own state: its wrapper's identity, the
 * JVM's end of its go FIFO, whether its start was accepted and whether this instance owns it,
 * and what end detection has seen so far. This class is thread-safe.
 */
public final class TmuxTask implements BackendTask {
    private static final Logger LOG = LoggerFactory.getLogger(TmuxTask.class);

    private final Services services;
    private final Launch launch;
    private final Path dir;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    /** Completed once the wrapper has set its signal handlers (its {@code started} file). */
    final CompletableFuture<Void> started = new CompletableFuture<>();
    final long registeredNanos;
    /** The watch on the task's state directory, cancelled on release. */
    volatile java.nio.file.WatchKey watchKey;
    private volatile long pid;
    private volatile long pidStartMillis;
    private volatile boolean inputClosed;
    /** Set once terminate() or kill() was called: a hangup that follows is ours, not news. */
    volatile boolean stopRequested;
    /** Whether a check came while the start was not accepted yet; guarded by this. */
    boolean missedCheck;
    /** Whether, and when, the exit record was first seen; guarded by this. */
    boolean exitSeen;
    long exitSeenNanos;
    /** Looks for the wrapper's death since its end was recorded with the log complete; guarded by this. */
    int wrapperLooks;
    /** Whether, and when, the session was first seen gone without an exit record; guarded by this. */
    boolean goneSeen;
    long goneSeenNanos;
    /**
     * Whether the start was confirmed (tmux reported the session as this task's): only then
     * may the wrapper run the command. A task found on disk is accepted if its record has a pid.
     */
    volatile boolean accepted;
    /**
     * Whether this backend instance owns the task's state, having started it or taken it over
     * from an instance that has gone: only the owner deletes it.
     */
    volatile boolean owned;
    /** The JVM's end of the task's {@code go} FIFO, held until the wrapper has read it; guarded by this. */
    private FileChannel go;

    /**
     * What a task uses of its backend, shared by all its tasks.
     *
     * @param sessions the tasks' sessions
     * @param tools the helper programs
     * @param chores the backend's background thread and closed state
     * @param server the server, for the attach command
     * @param timing the backend's ticker and delays
     * @param release what {@link #release()} does: forgets the task, deletes its state if it is this instance's
     */
    public record Services(Sessions sessions, Tools tools, Chores chores, ServerAddress server, Timing timing,
            Consumer<TmuxTask> release) {
    }

    /**
     * @param services what the task uses of its backend
     * @param launch what runs
     * @param dir the task's state directory
     */
    public TmuxTask(Services services, Launch launch, Path dir) {
        this.services = services;
        this.launch = launch;
        this.dir = dir;
        this.registeredNanos = services.timing().nanos();
    }

    /**
     * Sets the wrapper's pid and start time (public for tests, which give a task a stranger's pid).
     *
     * @param pid the wrapper's pid, 0 if unknown
     * @param startMillis its start time, epoch milliseconds, 0 if unknown
     */
    public void identify(long pid, long startMillis) {
        this.pidStartMillis = startMillis;
        this.pid = pid;
    }

    long pidStartMillis() {
        return pidStartMillis;
    }

    Path dir() {
        return dir;
    }

    /**
     * The task's tag: its state directory's name and its session's {@code @bgtasks-id}. Usually
     * the run's id; unique even where two logs directories hand out the same id.
     */
    String tag() {
        return dir.getFileName().toString();
    }

    boolean isDone() {
        return exit.isDone();
    }

    void complete(ExitStatus status) {
        closeGo();
        exit.complete(status);
    }

    /**
     * Opens the JVM's end of the {@code go} FIFO for reading and writing, which never blocks
     * (Linux) and lets the wrapper's open for reading return at once. While it is open, the
     * wrapper waits for a word; once it is closed unanswered, the wrapper reads end of file.
     */
    synchronized void openGo() throws IOException {
        go = FileChannel.open(dir.resolve("go"), StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /**
     * Tells the wrapper to run the command. The FIFO stays open until the wrapper has read it
     * (its {@code started} file appears): the word would be lost if the last end closed first.
     */
    synchronized void sendGo() throws IOException {
        if (go == null) {
            throw new IOException("the go FIFO of task " + launch.id() + " is not open");
        }
        go.write(ByteBuffer.wrap("go\n".getBytes(StandardCharsets.US_ASCII)));
    }

    /** Closes the JVM's end of the {@code go} FIFO, if open; a wrapper still waiting then reads end of file. */
    synchronized void closeGo() {
        if (go != null) {
            try {
                go.close();
            } catch (IOException e) {
                // nothing to do: the descriptor is released either way
            }
            go = null;
        }
    }

    /** Lets a wrapper that waits for a go that will never come read end of file (open, close). */
    static void wakeUnanswered(Path dir) {
        try (FileChannel c = FileChannel.open(dir.resolve("go"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            LOG.debug("told the wrapper in {} that its start was never confirmed", dir);
        } catch (IOException e) {
            // no FIFO: nobody can wait on it
        }
    }

    /** @return the wrapper process, if it still runs (same pid and same start time) */
    public Optional<ProcessHandle> wrapper() {
        long p = pid;
        long start = pidStartMillis;
        if (p <= 0 || start <= 0) {
            return Optional.empty();
        }
        // A zombie counts as gone: tmux 3.3a can take a second to reap a pane's process. Without
        // /proc (not Linux), or gone meanwhile, ProcessHandle has answered.
        return ProcessHandle.of(p).filter(h -> h.info().startInstant()
                .map(i -> i.toEpochMilli() == start).orElse(false)
                && !ProcStat.read(p).map(ProcStat::isZombie).orElse(false));
    }

    @Override
    public Launch launch() {
        return launch;
    }

    @Override
    public OptionalLong pid() {
        long p = pid;
        return p > 0 ? OptionalLong.of(p) : OptionalLong.empty();
    }

    @Override
    public CompletableFuture<ExitStatus> exit() {
        return exit;
    }

    /**
     * Sends SIGTERM to the wrapper, which forwards it once to the task's whole process group
     * and follows it with SIGCONT (a stopped wrapper is woken first).
     */
    @Override
    public void terminate() throws IOException {
        stopRequested = true;
        Optional<ProcessHandle> w = wrapperReady();
        if (w.isPresent()) {
            w.get().destroy();
            wake(w.get().pid());
        } else if (!isDone()) {
            killSession(); // nothing to signal: at least hang up the session
        }
    }

    /**
     * SIGKILLs the wrapper's child (the command, or the reaper that runs it). The wrapper stays:
     * it records the end (signal 9), then SIGKILLs what is left of its process group. Should the
     * task not have ended shortly after, its session is killed too. Neither a helper process nor
     * a scan of all processes is needed, so that killing many tasks stays cheap.
     */
    @Override
    public void kill() throws IOException {
        stopRequested = true;
        Optional<ProcessHandle> w = wrapperReady();
        if (w.isPresent()) {
            child(w.get()).ifPresent(ProcessHandle::destroyForcibly);
            wake(w.get().pid());
            killSessionLater();
        } else if (!isDone()) {
            killSession();
        }
    }

    /** Kills the task's session, if it is still the task's (same {@code @bgtasks-id}). */
    private void killSession() {
        if (isDone() || services.chores().closed()) {
            return;
        }
        services.sessions().kill(launch.name(), tag(), launch.id());
    }

    /** Gives the wrapper a moment to record a SIGKILLed task's end, then kills its session. */
    private void killSessionLater() {
        services.chores().later(this::killSession, services.timing().killSessionDelay());
    }

    /** @return the wrapper's child, as it recorded it, if that process is still the wrapper's */
    private Optional<ProcessHandle> child(ProcessHandle wrapper) {
        try {
            long p = Long.parseLong(Files.readString(dir.resolve("child")).trim());
            return ProcessHandle.of(p).filter(h -> h.parent().map(wrapper::equals).orElse(false));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty(); // not recorded (not started yet, or already ended)
        }
    }

    /** Sends SIGCONT to a stopped wrapper, which Java cannot do itself. */
    private void wake(long wrapperPid) {
        char state = ProcStat.read(wrapperPid).map(ProcStat::state).orElse('?');
        if (state == 'T' || state == 't') {
            services.tools().signal("CONT", wrapperPid);
        }
    }

    /**
     * Returns the wrapper once its signal handlers are in place and the command exists (it
     * writes {@code started} then, a few milliseconds after the start), so that a stop right
     * after the start is not lost; empty if the task has ended.
     */
    private Optional<ProcessHandle> wrapperReady() {
        try {
            CompletableFuture.anyOf(started, exit).get(services.timing().readyWait().toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // not started in time: signal what there is
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return isDone() ? Optional.empty() : wrapper();
    }

    /**
     * Types the bytes into the pane, byte-exact ({@code send-keys -H}: no key names, no
     * {@code ;} or quote handling). The pane is a terminal: the line discipline echoes input
     * (so it shows in the log), cuts canonical lines at 4095 bytes, and acts on control bytes
     * such as ^C and ^D.
     */
    @Override
    public void send(byte[] bytes) throws IOException {
        if (inputClosed) {
            throw new IOException("the input of task " + launch.id() + " was closed");
        }
        if (isDone()) {
            throw new IOException("task " + launch.id() + " has ended");
        }
        services.sessions().type(launch.name(), bytes);
    }

    /**
     * Types ^D. The pane is a terminal, not a pipe: ^D at the start of a line makes a reading
     * program see end of file (mid-line it only hands over the partial line), and a program that
     * reads the terminal in raw mode sees a 0x04 byte. Later {@link #send} calls fail.
     */
    @Override
    public void closeInput() throws IOException {
        if (inputClosed || isDone()) {
            inputClosed = true;
            return;
        }
        send(new byte[] {4});
        inputClosed = true;
    }

    @Override
    public Optional<String> attachCommand() {
        return Optional.of(services.server().attachCommand(launch.name()));
    }

    @Override
    public void release() {
        services.release().accept(this);
    }

    @Override
    public String toString() {
        return "TmuxTask{" + launch.id() + (isDone() ? " ended" : " running") + "}";
    }
}
