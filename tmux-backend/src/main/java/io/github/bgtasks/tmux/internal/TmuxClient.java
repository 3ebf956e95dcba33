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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.zeroturnaround.exec.ProcessExecutor;
import org.zeroturnaround.exec.ProcessResult;
import org.zeroturnaround.exec.StartedProcess;

/**
 * Runs short tmux client commands against one private server.
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

    private final List<String> base;
    private final Timing timing;
    private final AtomicLong calls = new AtomicLong();
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
        List<String> b = new ArrayList<>();
        b.add(executable);
        b.add("-u"); // UTF-8 regardless of the JVM's locale
        b.addAll(socketArgs);
        b.add("-f");
        b.add(config.toString());
        this.base = List.copyOf(b);
        this.timing = timing;
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
     * Runs {@code tmux <socket> -f <conf> args...}.
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
        long begin = timing.nanos();
        Progress progress = new Progress(p.getProcess().toHandle(), server, timing);
        try {
            while (true) {
                try {
                    return result(args, p.getFuture().get(LOOK_MILLIS, TimeUnit.MILLISECONDS), err);
                } catch (TimeoutException e) {
                    long waited = timing.nanos() - begin;
                    Duration limit = timing.tmuxLimit();
                    if (waited >= limit.toNanos()) {
                        throw giveUp(p, args, "did not answer within " + human(limit) + " (the limit set with "
                                + "TmuxBackend.Builder.tmuxTimeout); the tmux server is overloaded or wedged", false);
                    }
                    String stuck = progress.stuckFor(timing.noProgress());
                    if (stuck != null) {
                        throw giveUp(p, args, "got no answer: " + stuck + "; the tmux server may be wedged", true);
                    }
                }
            }
        } catch (ExecutionException e) {
            throw new TmuxException("tmux " + describe(args) + " could not run: " + e.getCause(), "", false, false);
        } catch (InterruptedException e) {
            p.getProcess().destroyForcibly();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while running tmux " + describe(args));
        }
    }

    private static TmuxException giveUp(StartedProcess p, List<String> args, String why, boolean wedged) {
        p.getProcess().destroyForcibly();
        p.getFuture().cancel(true);
        return new TmuxException("tmux " + describe(args) + " " + why, "", true, wedged);
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
