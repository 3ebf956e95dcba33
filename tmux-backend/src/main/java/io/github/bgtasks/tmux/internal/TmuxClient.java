package io.github.bgtasks.tmux.internal;

import io.github.bgtasks.internal.Text;
import io.github.bgtasks.internal.posix.ProcStat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeroturnaround.exec.ProcessExecutor;
import org.zeroturnaround.exec.ProcessResult;
import org.zeroturnaround.exec.StartedProcess;

/**
 * Runs short tmux commands against one private server: each as a tmux client process of its
 * own ({@link #run}), or, for the calls that matter to speed ({@link #call}: a task's start),
 * as a line to the keeper, one control-mode client that this JVM holds ({@link ControlChannel}),
 * which also keeps the server running between tasks.
 *
 * <p>Every call names the socket ({@code -L}/{@code -S}) and the private configuration
 * ({@code -f}), so neither {@code $TMUX} nor the user's {@code ~/.tmux.conf} can ever matter.
 * Calls are not serialised: the server does its work serially anyway, tmux itself guards a
 * server's first start with a lock file, and one slow call (a background sweep's listing) must
 * never hold up another (a start). Any output on stderr counts as a failure: tmux exits 0 on
 * some errors (such as {@code error creating <socket>}).
 *
 * <p>A slow server is waited for: a call fails only after {@link Timing#tmuxLimit} in all, or once
 * neither the server nor the client has made progress (used CPU or been runnable) for
 * {@link Timing#noProgress}, which is what a wedged or stopped server looks like. The server is
 * known by the pid that {@code new-session} reports. This class is thread-safe.
 */
public final class TmuxClient {
    /** The oldest tmux this backend supports, for messages. */
    static final String MIN_VERSION = "3.2";

    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)");
    /** How often a waiting call looks at the server's progress. */
    private static final long LOOK_MILLIS = 250;
    /** Keepers that may fail to start in a row before no more are tried. */
    private static final int MAX_FAILED_KEEPERS = 3;
    /** Numbers this JVM's keepers, whose session names must differ. */
    private static final AtomicInteger KEEPERS = new AtomicInteger();
    private static final Logger LOG = LoggerFactory.getLogger(TmuxClient.class);

    private final List<String> base;
    private final Timing timing;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong channelCalls = new AtomicLong();
    private final Object keeperLock = new Object();
    /** Whether {@link #call} may start keepers. */
    private final boolean keepers;
    /** The keeper, starting or ready; {@code null} if none. Guarded by {@link #keeperLock}. */
    private ControlChannel keeper;
    /** Keepers in a row that never got ready. Guarded by {@link #keeperLock}. */
    private int failedKeepers;
    /** Set under {@link #keeperLock}; read anywhere. */
    private volatile boolean closed;
    private final AtomicBoolean loggedKeeperFailure = new AtomicBoolean();
    /** The server's pid and start time as {@code new-session} reported it, or {@code null}. */
    private volatile ProcessHandle server;

    /**
     * @param executable the tmux program
     * @param socketArgs {@code -L name} or {@code -S path}
     * @param config the private configuration file
     * @param timing how long one call may take in all ({@link Timing#tmuxLimit}), how long neither
     *     client nor server may move before a call counts as wedged ({@link Timing#noProgress}), and
     *     the ticker that measures both
     */
    public TmuxClient(String executable, List<String> socketArgs, Path config, Timing timing) {
        this(executable, socketArgs, config, timing, true);
    }

    /**
     * @param executable the tmux program
     * @param socketArgs {@code -L name} or {@code -S path}
     * @param config the private configuration file
     * @param timing the limits of each call, as for {@link #TmuxClient(String, List, Path, Timing)}
     * @param keeper whether {@link #call} may start a keeper; {@code false} primarily for tests
     */
    public TmuxClient(String executable, List<String> socketArgs, Path config, Timing timing, boolean keeper) {
        List<String> b = new ArrayList<>();
        b.add(executable);
        b.add("-u"); // UTF-8 regardless of the JVM's locale
        b.addAll(socketArgs);
        b.add("-f");
        b.add(config.toString());
        this.base = List.copyOf(b);
        this.timing = timing;
        this.keepers = keeper;
    }

    /**
     * Primarily for tests.
     *
     * @return how many tmux client calls this object has made
     */
    public long calls() {
        return calls.get();
    }

    /** Remembers the server's pid (from {@code #{pid}}), so that a wedged server can be told from a busy one. */
    void serverPid(long pid) {
        ProcessHandle known = server;
        if (known == null || known.pid() != pid || !known.isAlive()) {
            server = ProcessHandle.of(pid).orElse(null);
        }
    }

    /**
     * Runs {@code tmux <socket> -f <conf> args...} as a tmux client process of its own.
     *
     * @param args the command and its arguments
     * @return standard output
     * @throws TmuxException if tmux wrote to stderr, exited non-zero or gave no answer in time
     *     ({@link TmuxException#timedOut()}: the server may still carry the command out later)
     */
    public String run(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(base);
        cmd.addAll(args);
        calls.incrementAndGet();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        StartedProcess p = executor(cmd, err).start();
        try {
            return result(args, await(p.getFuture(), p.getProcess().toHandle(), args, () -> {
                p.getProcess().destroyForcibly();
                p.getFuture().cancel(true);
            }), err);
        } catch (ExecutionException e) {
            throw new TmuxException("tmux " + describe(args) + " could not run: " + e.getCause(), "", false, false);
        } catch (InterruptedException e) {
            p.getProcess().destroyForcibly();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while running tmux " + describe(args));
        }
    }

    /**
     * Sends the commands through the keeper's control client when it is up, with no process
     * started; otherwise (no keeper yet, or none can start, or a value that cannot be written on
     * a control-mode line) runs them as {@link #run} does, and then starts a keeper for later
     * calls if there is none: see {@link ControlChannel}. The limits are the same either way; a call that
     * gets no answer in time gives the keeper up (the next call starts another).
     *
     * @param args the commands and their arguments, separated by {@code ";"} elements
     * @return the output of the commands
     * @throws TmuxException as {@link #run}; also {@link TmuxException#unanswered()} if the keeper
     *     ended before it answered
     */
    public String call(List<String> args) throws IOException {
        ControlChannel c = keeper();
        CompletableFuture<String> reply = c == null ? null : c.send(args);
        if (reply == null) {
            try {
                return run(args);
            } finally {
                // Only now: the call has started the server if none ran, so that the keeper's
                // client and this one never race to start one.
                startKeeper();
            }
        }
        channelCalls.incrementAndGet();
        try {
            return await(reply, c.client(), args, () -> retire(c));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TmuxException te) {
                throw te;
            }
            throw new TmuxException("tmux " + describe(args) + " failed: " + e.getCause(), "", false, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for tmux " + describe(args));
        }
    }

    /**
     * Waits for a call's answer as long as tmux makes progress, within the overall limit.
     *
     * @param answer the answer to come
     * @param client the tmux client carrying the call
     * @param giveUp what to do with the call when it is given up
     */
    private <T> T await(Future<T> answer, ProcessHandle client, List<String> args, Runnable giveUp)
            throws ExecutionException, InterruptedException, TmuxException {
        long begin = timing.nanos();
        Progress progress = new Progress(client, server, timing);
        while (true) {
            try {
                return answer.get(LOOK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                long waited = timing.nanos() - begin;
                Duration limit = timing.tmuxLimit();
                if (waited >= limit.toNanos()) {
                    giveUp.run();
                    throw new TmuxException("tmux " + describe(args) + " did not answer within " + human(limit)
                            + " (the limit set with TmuxBackend.Builder.tmuxTimeout); the tmux server is overloaded "
                            + "or wedged", "", true, false);
                }
                String stuck = progress.stuckFor(timing.noProgress());
                if (stuck != null) {
                    giveUp.run();
                    throw new TmuxException("tmux " + describe(args) + " got no answer: " + stuck
                            + "; the tmux server may be wedged", "", true, true);
                }
            }
        }
    }

    /** @return the keeper, if it is ready for commands */
    private ControlChannel keeper() {
        synchronized (keeperLock) {
            ControlChannel c = keeper;
            return c != null && c.isUp() ? c : null;
        }
    }

    /** Starts a keeper if there is none (without waiting for it), unless closed or keepers keep failing. */
    private void startKeeper() {
        synchronized (keeperLock) {
            if (keeper != null && keeper.ended()) {
                keeper = null;
            }
            if (keeper == null && keepers && !closed && failedKeepers < MAX_FAILED_KEEPERS) {
                String name = ControlChannel.NAME_PREFIX + ProcessHandle.current().pid() + "-" + KEEPERS.incrementAndGet();
                try {
                    ControlChannel c = ControlChannel.start(base, name);
                    keeper = c;
                    c.ready().whenComplete((pid, e) -> keeperReady(c, pid, e));
                } catch (IOException e) {
                    keeperFailed(name, e);
                }
            }
        }
    }

    private void keeperReady(ControlChannel c, Long pid, Throwable e) {
        if (e == null) {
            serverPid(pid);
            synchronized (keeperLock) {
                failedKeepers = 0;
            }
        } else if (!closed) {
            keeperFailed(c.session(), e);
        }
    }

    /** A keeper that could not start or set up: logged once; after a few in a row, no more are started. */
    private void keeperFailed(String name, Throwable e) {
        synchronized (keeperLock) {
            failedKeepers++;
        }
        if (!loggedKeeperFailure.getAndSet(true)) {
            LOG.warn("the tmux keeper session {} could not start ({}); tasks still start, each with a tmux client "
                    + "of its own (slower)", name, e.getMessage());
        } else {
            LOG.debug("the tmux keeper session {} could not start", name, e);
        }
    }

    /** Gives a keeper up that did not answer: the next call starts another. */
    private void retire(ControlChannel c) {
        synchronized (keeperLock) {
            if (keeper == c) {
                keeper = null;
            }
        }
        c.kill();
    }

    /**
     * Ends the keeper, if any: its session goes, and with it the server if no task's session is
     * left. Calls made afterwards each run a tmux client of their own.
     */
    public void close() {
        ControlChannel c;
        synchronized (keeperLock) {
            closed = true;
            c = keeper;
            keeper = null;
        }
        if (c != null) {
            c.close(timing.settle().toMillis());
        }
    }

    /**
     * Primarily for tests.
     *
     * @return how many calls went through the keeper's control client
     */
    public long channelCalls() {
        return channelCalls.get();
    }

    /**
     * Primarily for tests.
     *
     * @return the keeper's control client and its session's name, if a keeper is ready for commands
     */
    public Optional<Map.Entry<ProcessHandle, String>> keeperClient() {
        return Optional.ofNullable(keeper()).map(c -> Map.entry(c.client(), c.session()));
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /**
     * Watches the client and the server for signs of life: CPU time used, or being runnable
     * (waiting for a CPU) or in uninterruptible I/O. A busy machine slows both down but they
     * keep moving; a stopped or deadlocked server and its waiting client do not.
     */
    private static final class Progress {
        private final List<ProcessHandle> watched;
        private final Timing timing;
        private long lastTicks = -1;
        private long lastMoved;

        Progress(ProcessHandle client, ProcessHandle server, Timing timing) {
            this.watched = server == null ? List.of() : List.of(client, server);
            this.timing = timing;
            this.lastMoved = timing.nanos();
        }

        /** @return why nothing moved for the limit, or {@code null} while it moves (or cannot be told) */
        String stuckFor(Duration noProgressLimit) {
            if (watched.isEmpty()) {
                return null; // the server is not known: only the overall limit applies
            }
            long ticks = 0;
            StringBuilder states = new StringBuilder();
            for (ProcessHandle h : watched) {
                Optional<ProcStat> stat = ProcStat.read(h.pid());
                if (stat.isEmpty()) {
                    return null; // no /proc, or the process is gone: the call is about to end anyway
                }
                char state = stat.get().state();
                if (state == 'R' || state == 'D') {
                    lastMoved = timing.nanos();
                }
                ticks += stat.get().cpuTicks();
                states.append(states.length() == 0 ? "client " : ", server pid " + h.pid() + " ").append(state);
            }
            long now = timing.nanos();
            if (ticks != lastTicks) {
                lastTicks = ticks;
                lastMoved = now;
            }
            if (now - lastMoved < noProgressLimit.toNanos()) {
                return null;
            }
            return "neither the tmux client nor the server made any progress for " + human(noProgressLimit)
                    + " (process states: " + states + ")";
        }
    }

    /**
     * Reads {@code tmux -V}, as {@link #checkVersion(String, Duration)} with the default helper limit.
     *
     * @param executable the tmux program
     * @return the version line
     * @throws IllegalStateException if tmux is missing, does not answer, or is older than 3.2
     */
    public static String checkVersion(String executable) {
        return checkVersion(executable, Timing.DEFAULT.helperLimit());
    }

    /**
     * Reads {@code tmux -V}, failing with a message that says what was found and what is needed.
     *
     * @param executable the tmux program
     * @param helperLimit how long it may take
     * @return the version line
     * @throws IllegalStateException if tmux is missing, does not answer, or is older than 3.2
     */
    public static String checkVersion(String executable, Duration helperLimit) {
        String out;
        try {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            out = result(List.of("-V"), executor(List.of(executable, "-V"), err)
                    .timeout(helperLimit.toMillis(), TimeUnit.MILLISECONDS).execute(), err).trim();
        } catch (TimeoutException e) {
            throw new IllegalStateException("'" + executable + " -V' did not answer within "
                    + human(helperLimit), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running '" + executable + " -V'", e);
        } catch (IOException e) {
            throw new IllegalStateException("tmux was not found or could not run ('" + executable + " -V': "
                    + e.getMessage() + "); install tmux " + MIN_VERSION + " or newer (for example "
                    + "'apt-get install tmux') or point TmuxBackend.builder().tmuxExecutable(...) at it", e);
        }
        Matcher m = VERSION.matcher(out);
        // "tmux master" and "tmux next-3.4" are development builds: newer than any release.
        boolean dev = out.contains("master") || out.contains("next-");
        if (!dev && (!m.find() || Integer.parseInt(m.group(1)) < 3
                || (Integer.parseInt(m.group(1)) == 3 && Integer.parseInt(m.group(2)) < 2))) {
            throw new IllegalStateException("tmux " + MIN_VERSION + " or newer is needed, but '" + executable
                    + " -V' reports '" + out + "'; upgrade tmux");
        }
        return out;
    }

    private static ProcessExecutor executor(List<String> cmd, ByteArrayOutputStream err) {
        Map<String, String> env = new HashMap<>();
        // A JVM running inside tmux must not steer our client to the enclosing server.
        env.put("TMUX", null);
        env.put("TMUX_PANE", null);
        return new ProcessExecutor(cmd).environment(env).readOutput(true).redirectError(err).exitValueAny();
    }

    private static String result(List<String> args, ProcessResult r, ByteArrayOutputStream err) throws TmuxException {
        String stderr = err.toString(StandardCharsets.UTF_8).trim();
        if (!stderr.isEmpty() || r.getExitValue() != 0) {
            throw new TmuxException("tmux " + describe(args) + " failed (exit " + r.getExitValue() + "): "
                    + (stderr.isEmpty() ? "no message" : stderr), stderr, false, false);
        }
        return r.outputUTF8();
    }

    private static String describe(List<String> args) {
        return Text.abbreviate(String.join(" ", args), Text.MAX_VALUE);
    }
}
