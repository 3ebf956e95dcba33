package io.github.bgtasks.tmux.internal;

import io.github.bgtasks.internal.posix.DaemonThreads;
import io.github.bgtasks.internal.posix.WaitStatus;
import io.github.bgtasks.spi.ExitStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices how the tasks of this instance end, and holds them while they are watched. Ends are
 * noticed from file events in the tasks' state directories (one {@link WatchService}, i.e. one
 * inotify thread, for all tasks, and one thread that handles its events), with a sweep every
 * two seconds on the backend's {@link Chores} thread as a safety net; no task has a thread or
 * a polling loop of its own. (Where the JDK has no native file events, as on macOS, where it
 * polls, the sweep notices ends within about two seconds.) This class is thread-safe.
 */
public final class EndWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(EndWatcher.class);
    /**
     * How often a recorded end whose log is complete looks again for its wrapper's death. The
     * Perl wrapper sweeps its group right after the record (its death is a fraction of a
     * millisecond away); each look is one /proc read, about 50 µs. Each further look waits twice
     * as long, up to 16 ms, so a wrapper that is slow to go (a stopped one, a
     * loaded machine) costs a few looks until the settle time, not thousands.
     */
    private static final Duration WRAPPER_POLL = Duration.ofNanos(250_000);
    private static final int WRAPPER_POLL_MAX_DOUBLINGS = 6; // 0.25 ms .. 16 ms
    /**
     * The files whose appearance can change what {@link #check} decides. The others that come
     * and go in a task's directory (its record, temporary files, the child's pid, the reaper's
     * status) would each cost a check, on a busy machine in the middle of the next start.
     */
    private static final Set<String> NEWS = Set.of("started", "exit", "closed");

    private final WatchService watcher;
    private final Sessions sessions;
    private final Chores chores;
    private final String server;
    /**
     * How long a half-seen end may wait for the rest before it is reported anyway (an exit
     * record for the log's {@code closed} marker, or a session gone without a record for one),
     * the sweep's period, and the ticker that measures the waits.
     */
    private final Timing timing;
    /** The watched tasks by tag: this instance's tasks. */
    private final Map<String, TmuxTask> tasks = new ConcurrentHashMap<>();
    private final Map<WatchKey, TmuxTask> byKey = new ConcurrentHashMap<>();

    /**
     * Opens the watch service; {@link #start()} starts watching.
     *
     * @param tasksDir the directory of the task directories
     * @param sessions asked only where files and processes leave an end open
     * @param chores runs the sweep and delayed checks
     * @param server names the server in messages
     * @param timing the sweep period, how long a half-seen end waits for the rest, and the ticker
     */
    public EndWatcher(Path tasksDir, Sessions sessions, Chores chores, String server, Timing timing) {
        this.sessions = sessions;
        this.chores = chores;
        this.server = server;
        this.timing = timing;
        try {
            this.watcher = tasksDir.getFileSystem().newWatchService();
        } catch (IOException e) {
            throw new UncheckedIOException("could not watch " + tasksDir + " for task ends", e);
        }
    }

    /** Starts the sweep and the thread that handles file events. */
    public void start() {
        chores.every(this::sweepQuietly, timing.sweepPeriod());
        DaemonThreads.start("bgtasks-tmux-events", this::watchLoop);
    }

    /** Watches the task's state directory; call before its session is created, as a task can end at once. */
    void watch(TmuxTask t) throws IOException {
        t.watchKey = t.dir().register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
        byKey.put(t.watchKey, t);
        tasks.put(t.tag(), t);
    }

    /** Stops watching the task and forgets it. */
    void unwatch(TmuxTask t) {
        tasks.remove(t.tag(), t);
        WatchKey key = t.watchKey;
        if (key != null) {
            key.cancel();
            byKey.remove(key);
        }
    }

    /** @return whether a task with the tag is watched */
    boolean watches(String tag) {
        return tasks.containsKey(tag);
    }

    /** @return the watched tasks, a live view */
    public Collection<TmuxTask> tasks() {
        return tasks.values();
    }

    /** Stops noticing ends (no event is handled any more) and closes every go FIFO still open. */
    public void close() {
        try {
            watcher.close();
        } catch (IOException e) {
            LOG.debug("closing the watch service failed", e);
        }
        tasks.values().forEach(TmuxTask::closeGo);
    }

    private void watchLoop() {
        while (true) {
            WatchKey key;
            try {
                key = watcher.take();
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            }
            boolean overflow = false;
            boolean news = false;
            for (WatchEvent<?> e : key.pollEvents()) {
                overflow |= e.kind() == StandardWatchEventKinds.OVERFLOW;
                news |= e.context() instanceof Path p && NEWS.contains(p.toString());
            }
            TmuxTask t = byKey.get(key);
            try {
                if (overflow) {
                    sweepQuietly();
                } else if (t != null && news) {
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
            long snapshot = timing.nanos();
            OneListing listing = new OneListing();
            for (TmuxTask t : tasks.values()) {
                if (!t.isDone() && t.registeredNanos < snapshot) {
                    check(t, listing);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("the sweep over tmux tasks on {} failed: {}", server, e.toString());
        }
    }

    /** Tells whether a task's session exists; asked only where files and processes leave it open. */
    @FunctionalInterface
    interface Liveness {
        /** @return whether the session exists; {@code true} where that cannot be told now */
        boolean exists(TmuxTask t);
    }

    /** One {@code list-sessions} for a whole sweep, made only if some task needs it. */
    private final class OneListing implements Liveness {
        private Set<String> live;
        private boolean asked;
        private boolean failed;

        @Override
        public boolean exists(TmuxTask t) {
            if (!asked) {
                asked = true;
                try {
                    live = sessions.liveTags();
                } catch (IOException e) {
                    failed = true;
                    LOG.debug("could not list the tmux sessions on {}", server, e);
                }
            }
            return failed || (live != null && live.contains(t.tag()));
        }
    }

    /**
     * Decides whether the task has ended. The wrapper writes {@code exit}, then SIGKILLs what is
     * left of its group (itself included), which closes the pane; the {@code closed} marker
     * appears once the log has everything. A record, the marker and a dead wrapper (a zombie
     * counts: tmux 3.3a can be slow to reap) mean the end is complete. A record without the
     * rest is reported after {@link Timing#settle} (a process that escaped the group can keep
     * the pane open). No record, a dead wrapper and a session gone for {@link Timing#settle}
     * mean the end was never recorded: lost. Only that last case asks tmux anything.
     *
     * @param liveness tells whether the session exists; {@code null} to ask tmux about this task
     */
    void check(TmuxTask t, Liveness liveness) {
        synchronized (t) {
            if (t.isDone()) {
                return;
            }
            if (!t.accepted) {
                // The launch is still under way (or was given up), nothing runs: it checks once
                // accepted, but only if something came meanwhile.
                t.missedCheck = true;
                return;
            }
            Path dir = t.dir();
            if (!t.started.isDone() && Files.exists(dir.resolve("started"))) {
                t.started.complete(null);
                t.closeGo(); // the wrapper has read it
                // The shell has the script open; its copy of the environment (secrets, maybe)
                // need not stay on disk for the task's whole life.
                StateFiles.deleteQuietly(dir.resolve(PerlWrapper.FILE));
                StateFiles.deleteQuietly(dir.resolve("run.sh"));
            }
            String record = StateFiles.read(dir.resolve("exit"));
            boolean logClosed = Files.exists(dir.resolve("closed"));
            if (record != null) {
                long now = timing.nanos();
                boolean first = !t.exitSeen;
                if (first) {
                    t.exitSeen = true;
                    t.exitSeenNanos = now;
                }
                boolean waited = now - t.exitSeenNanos >= timing.settle().toNanos();
                if (waited || (logClosed && t.wrapper().isEmpty())) {
                    t.complete(status(t, record, Files.exists(dir.resolve("timedout"))));
                } else if (logClosed) {
                    // Recorded, but the wrapper is still sweeping the group: it does so right after
                    // the record, so its death is a fraction of a millisecond away (no event tells it).
                    int doublings = Math.min(t.wrapperLooks++, WRAPPER_POLL_MAX_DOUBLINGS);
                    chores.later(() -> check(t, null), WRAPPER_POLL.multipliedBy(1L << doublings));
                } else if (first) {
                    chores.later(() -> check(t, null), timing.settle());
                }
                return;
            }
            if (t.wrapper().isPresent()) {
                return; // the wrapper runs (it may just be recording the end)
            }
            if (Files.exists(dir.resolve("exit"))) {
                // Recorded between the look above and the wrapper's death: decide on the record,
                // without asking tmux (once: the record stays).
                check(t, liveness);
                return;
            }
            if (!t.goneSeen && (liveness == null ? sessions.exists(t.launch().name(), t.tag())
                    : liveness.exists(t))) {
                return;
            }
            // Gone without a record. Give a wrapper that is on its way out a moment to record.
            long now = timing.nanos();
            if (!t.goneSeen) {
                t.goneSeen = true;
                t.goneSeenNanos = now;
                chores.later(() -> check(t, null), timing.settle());
            } else if (now - t.goneSeenNanos >= timing.settle().toNanos()) {
                t.complete(ExitStatus.lost("the task's wrapper ended without recording an exit status: it was "
                        + "killed before it could (by SIGKILL, or by a hangup the moment it started) or the machine "
                        + "restarted; tmux session '" + t.launch().name() + "' is gone"
                        + (sessions.serverRuns() ? "" : ", and no tmux server runs")));
            }
        }
    }

    /** Decodes the wrapper's exit record ({@code exit N} or {@code signal N}, perhaps {@code hangup}). */
    private ExitStatus status(TmuxTask t, String record, boolean timedOut) {
        String[] f = record.trim().split(" ");
        ExitStatus s;
        try {
            int n = Integer.parseInt(f[1]);
            WaitStatus w = switch (f[0]) {
                case "signal" -> new WaitStatus(-1, n);
                case "exit" -> new WaitStatus(n, 0);
                default -> throw new IllegalArgumentException(f[0]);
            };
            s = w.killedBy().isPresent() ? ExitStatus.signaled(w.signal()) : ExitStatus.exited(w.exitCode());
        } catch (RuntimeException e) {
            return ExitStatus.lost("the task's exit record '" + record.trim() + "' in " + t.dir() + " is unreadable");
        }
        if (f.length > 2 && f[2].equals("hangup") && s.signal().isPresent() && !t.stopRequested) {
            // A hangup ended it: nobody asked through this library, so say what happened.
            s = ExitStatus.lost((sessions.serverRuns()
                    ? "its tmux session was killed (for example with tmux kill-session)"
                    : "the tmux server exited or was killed while the task ran")
                    + ", so its terminal hung up; it ended with signal " + s.signal().getAsInt());
        }
        return timedOut ? s.asTimedOut() : s;
    }
}
