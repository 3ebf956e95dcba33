package io.github.bgtasks.process;

import io.github.bgtasks.internal.posix.ProcStat;
import io.github.bgtasks.internal.posix.WaitStatus;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task of the {@link JdkSpawner}: the JVM's own child.
 *
 * <p>Ending follows the Perl helper's rule: it starts with the first of {@link #terminate()},
 * {@link #kill()} and the end of the task's own process; everything of the task then gets
 * SIGTERM, and SIGKILL at one deadline, that start plus the grace period (at once for
 * {@code kill()}). "Everything of the task" is what can be found at that moment: the members of
 * its session (with {@code setsid}), the descendants of its own process while it runs, and
 * whatever was found before and still runs. Signals go through {@link ProcessHandle}, which
 * checks start times, so a reused pid is never hit.
 *
 * <p>Input is queued in Java, bounded by {@link InputWindow}, and written by a writer thread
 * that exists only while the task has input it has not read yet: a write to a full pipe
 * blocks, and the JDK offers no other way to wait for the pipe.
 */
final class JdkTask implements BackendTask {
    private static final Logger LOG = LoggerFactory.getLogger(JdkTask.class);
    private static final int CHUNK = 32 * 1024;
    /** Linux has signals 1..64; the JDK reports death by signal n as 128 + n. */
    private static final int MAX_SIGNAL = 64;
    private static final int KILL_PASSES = 50;
    private static final long KILL_PASS_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final JdkSpawner backend;
    private final Launch launch;
    private final Process process;
    private final ProcessHandle leader;
    private final boolean ownSession;
    private final OutputStream stdin;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    /** Completes once the task ended and what it left behind got its signals. */
    private final CompletableFuture<Void> swept = new CompletableFuture<>();
    private final InputWindow input;
    /** Every process of the task seen so far (start-time checked handles): found again after its parent died. */
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();
    private volatile boolean ended;

    /** Keeps the bytes of one {@link #send} call together. */
    private final Object sendOrder = new Object();
    private final Object inputLock = new Object();
    // guarded by inputLock
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private boolean writing;
    private boolean closeAfter;
    private String inputGone;

    private final Object endLock = new Object();
    // guarded by endLock
    private ScheduledFuture<?> killTimer;
    private long deadline;
    private boolean armed;

    JdkTask(JdkSpawner backend, Launch launch, Process process, Spawner.Settings settings, boolean ownSession) {
        this.backend = backend;
        this.launch = launch;
        this.process = process;
        this.leader = process.toHandle();
        this.ownSession = ownSession;
        this.stdin = process.getOutputStream();
        this.input = new InputWindow(launch.id(), settings);
    }

    /** Watches for the end: the JDK's reaper thread for this child sees it. */
    void watch() {
        process.onExit().whenComplete((p, e) -> exited());
    }

    /**
     * Decodes the JDK's exit value. Like a shell's {@code $?}, 129..192 (128 + a Linux signal)
     * is read as death by that signal, as the JDK reports it; a process that exits with such a
     * code by itself is misread as killed. Nothing in the JDK tells the two apart.
     */
    static ExitStatus decode(int value) {
        if (value < 0 || value > 128 + MAX_SIGNAL) {
            return ExitStatus.exited(value & 0xff);
        }
        WaitStatus w = WaitStatus.fromShell(value);
        return w.killedBy().isPresent() ? ExitStatus.signaled(w.signal()) : ExitStatus.exited(w.exitCode());
    }

    private void exited() {
        if (ended) {
            return; // the backend was closed before: its end was reported then
        }
        ExitStatus status = decode(process.exitValue());
        ended = true;
        dropInput("the task has ended (" + status + ")");
        exit.complete(status);
        if (!backend.sweepAfterEnd(this)) {
            finish(); // closed: nothing more is watched
        }
    }

    /** @return the session to look for leftovers in after the end, if the task has one and it may still hold them */
    OptionalLong leftoverSession() {
        long sid = leader.pid();
        return ownSession && Sessions.stillOurs(sid, Optional.of(leader)) ? OptionalLong.of(sid) : OptionalLong.empty();
    }

    /**
     * What the task left behind gets SIGTERM now and SIGKILL at the deadline; runs on the timer
     * thread, after the end, with its session's members from a pass over {@code /proc} that the
     * backend shares among all tasks that ended about the same time.
     */
    void sweepAfterEnd(List<ProcessHandle> sessionMembers) {
        List<ProcessHandle> left = live(sessionMembers, false);
        if (!left.isEmpty()) {
            LOG.debug("task {} ended; ending the {} process(es) it left behind", launch.id(), left.size());
            signal(left, false);
            arm(launch.stopGracePeriod().toNanos());
            return;
        }
        synchronized (endLock) {
            if (armed) {
                return; // the deadline finishes it
            }
        }
        finish();
    }

    /** Schedules the SIGKILL deadline, unless an earlier one is set. */
    private void arm(long delayNanos) {
        long due = System.nanoTime() + delayNanos;
        synchronized (endLock) {
            if (armed && due - deadline >= 0) {
                return;
            }
            if (killTimer != null) {
                killTimer.cancel(false);
            }
            deadline = due;
            armed = true;
            try {
                killTimer = backend.timers.schedule(this::deadlineReached, delayNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                armed = false; // closed: the core has already stopped what it had to
            }
        }
    }

    private void deadlineReached() {
        killAll();
        synchronized (endLock) {
            armed = false;
        }
        if (ended) {
            finish();
        } // else the exit, which SIGKILL brings, finishes it
    }

    private void finish() {
        swept.complete(null);
        backend.done(this);
    }

    /**
     * @return the live processes of the task now: its own process while it runs, its session's
     *     members (with {@code setsid}), its descendants while its own process runs, and what was
     *     found before and still runs
     */
    private List<ProcessHandle> tree() {
        OptionalLong sid = leftoverSession();
        if (sid.isEmpty()) {
            return live(List.of(), true);
        }
        // one pass over /proc for both the session and the descendants
        return live(ended ? Sessions.members(Set.of(sid.getAsLong())).getOrDefault(sid.getAsLong(), List.of())
                : Sessions.membersAndDescendants(sid.getAsLong(), leader.pid()), false);
    }

    /** @return {@link #tree()} from the session's members found (and the descendants, if {@code descendants}) */
    private List<ProcessHandle> live(List<ProcessHandle> sessionMembers, boolean descendants) {
        Set<ProcessHandle> found = new LinkedHashSet<>();
        if (!ended) {
            found.add(leader);
            if (descendants) {
                leader.descendants().forEach(found::add);
            }
        }
        found.addAll(sessionMembers);
        found.addAll(seen);
        List<ProcessHandle> live = new ArrayList<>();
        for (ProcessHandle p : found) {
            if (alive(p)) {
                live.add(p);
                seen.add(p);
            } else {
                seen.remove(p);
            }
        }
        return live;
    }

    /** @return whether it runs: a zombie has ended, only not yet reaped */
    private static boolean alive(ProcessHandle p) {
        return p.isAlive() && ProcStat.read(p.pid()).map(s -> !s.isZombie()).orElse(true);
    }

    private static void signal(List<ProcessHandle> processes, boolean force) {
        Sessions.signal(processes, force);
    }

    /** SIGKILL to everything of the task, again until nothing is found (a fork loop may add processes). */
    private void killAll() {
        for (int pass = 0; pass < KILL_PASSES; pass++) {
            List<ProcessHandle> left = tree();
            if (left.isEmpty()) {
                return;
            }
            if (pass > 0) {
                LockSupport.parkNanos(KILL_PASS_PAUSE_NANOS); // give the killed a moment to become zombies
                left = tree();
            }
            signal(left, true);
        }
        LOG.debug("task {}: processes still found after SIGKILL: {}", launch.id(), tree());
    }

    @Override
    public Launch launch() {
        return launch;
    }

    @Override
    public OptionalLong pid() {
        return OptionalLong.of(process.pid());
    }

    @Override
    public CompletableFuture<ExitStatus> exit() {
        return exit;
    }

    @Override
    public void terminate() {
        if (ended) {
            return; // what it left behind is being ended already
        }
        signal(tree(), false);
        arm(launch.stopGracePeriod().toNanos());
    }

    @Override
    public void kill() {
        if (ended) {
            return;
        }
        killAll();
        arm(0); // and once more on the timer thread, for what the first pass could not see yet
    }

    @Override
    public void send(byte[] bytes) throws IOException {
        synchronized (sendOrder) {
            if (ended) {
                throw new IOException("the task has ended");
            }
            for (int i = 0; i < bytes.length; i += CHUNK) {
                int end = Math.min(bytes.length, i + CHUNK);
                input.reserve(end - i);
                byte[] chunk = Arrays.copyOfRange(bytes, i, end);
                boolean start;
                synchronized (inputLock) {
                    if (inputGone != null) {
                        input.taken(chunk.length);
                        throw new IOException(inputGone);
                    }
                    queue.add(chunk);
                    start = !writing;
                    writing = true;
                }
                if (start) {
                    try {
                        backend.writers.execute(this::write);
                    } catch (RejectedExecutionException e) {
                        dropInput("the process backend is closed");
                        throw new IOException("the process backend is closed", e);
                    }
                }
            }
        }
    }

    /** Writes queued input until none is left; runs on a writer thread. */
    private void write() {
        while (true) {
            byte[] chunk;
            synchronized (inputLock) {
                chunk = queue.poll();
                if (chunk == null) {
                    writing = false;
                    if (closeAfter) {
                        closeStdin();
                    }
                    return;
                }
            }
            try {
                stdin.write(chunk);
                stdin.flush();
                input.taken(chunk.length);
            } catch (IOException e) {
                // the task closed its stdin (or ended): the rest is dropped, as the helper does
                LOG.debug("task {}: its standard input is closed", launch.id(), e);
                input.taken(chunk.length);
                synchronized (inputLock) {
                    writing = false;
                }
                dropInput("the task closed its standard input");
                closeStdin();
                return;
            }
        }
    }

    /** No more input: queued bytes are dropped, later sends fail with {@code why}. */
    private void dropInput(String why) {
        long dropped = 0;
        synchronized (inputLock) {
            if (inputGone == null) {
                inputGone = why;
            }
            if (!writing) {
                for (byte[] b : queue) {
                    dropped += b.length;
                }
                queue.clear();
            } // else the writer, blocked on the pipe, gets an error or the pipe's reader reads on
        }
        input.taken(dropped);
        input.close(why);
    }

    private void closeStdin() {
        try {
            stdin.close(); // only ever when no write is in progress: the stream's lock is free
        } catch (IOException e) {
            LOG.trace("task {}: closing its standard input", launch.id(), e);
        }
    }

    @Override
    public void closeInput() {
        synchronized (inputLock) {
            if (inputGone == null) {
                inputGone = "the task's standard input was closed";
            }
            closeAfter = true;
            if (!writing) {
                closeStdin();
            }
        }
    }

    /** The backend is closed while the task runs: like the helper's quit, it is left running, unobserved. */
    void closedWhileRunning() {
        if (ended) {
            return;
        }
        ended = true;
        closeInput();
        dropInput("the process backend is closed");
        exit.complete(ExitStatus.lost("the process backend was closed while the task ran; it was left running, unobserved"));
        finish();
    }

    /** Waits, bounded, until what the task left behind got its SIGKILL. */
    void awaitSwept(long millis) {
        try {
            swept.get(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("task {}: leftovers not yet ended", launch.id(), e);
        }
    }

    @Override
    public String toString() {
        return "JdkTask{" + launch.id() + ", pid " + process.pid() + "}";
    }
}
