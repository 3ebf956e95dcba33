package io.github.bgtasks.tmux;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.zeroturnaround.exec.ProcessExecutor;
import org.zeroturnaround.exec.ProcessResult;

/**
 * Runs short tmux client commands against one private server, one at a time.
 *
 * <p>Every call names the socket ({@code -L}/{@code -S}) and the private configuration
 * ({@code -f}), so neither {@code $TMUX} nor the user's {@code ~/.tmux.conf} can ever matter.
 * Calls are serialised because the server does its work serially anyway and concurrent first
 * starts of a server are best avoided. Any output on stderr counts as a failure: tmux exits 0
 * on some errors (such as {@code error creating <socket>}). This class is thread-safe.
 */
final class Tmux {
    /** How long one tmux client call may take: a wedged server must not block a caller forever. */
    static final long CALL_TIMEOUT_MILLIS = 5_000;
    /** The oldest tmux this backend supports, for messages. */
    static final String MIN_VERSION = "3.2";

    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)");

    private final List<String> base;
    private final Object lock = new Object();

    Tmux(String executable, List<String> socketArgs, Path config) {
        List<String> b = new ArrayList<>();
        b.add(executable);
        b.add("-u"); // UTF-8 regardless of the JVM's locale
        b.addAll(socketArgs);
        b.add("-f");
        b.add(config.toString());
        this.base = List.copyOf(b);
    }

    /**
     * Runs {@code tmux <socket> -f <conf> args...}.
     *
     * @return standard output
     * @throws TmuxException if tmux wrote to stderr, exited non-zero or timed out
     */
    String run(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(base);
        cmd.addAll(args);
        synchronized (lock) {
            return exec(cmd, args);
        }
    }

    /** Reads {@code tmux -V}, failing with a message that says what was found and what is needed. */
    static String checkVersion(String executable) {
        String out;
        try {
            out = exec(List.of(executable, "-V"), List.of("-V")).trim();
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

    private static String exec(List<String> cmd, List<String> args) throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = new HashMap<>();
        // A JVM running inside tmux must not steer our client to the enclosing server.
        env.put("TMUX", null);
        env.put("TMUX_PANE", null);
        ProcessResult r;
        try {
            r = new ProcessExecutor(cmd)
                    .environment(env)
                    .readOutput(true)
                    .redirectError(err)
                    .exitValueAny()
                    .timeout(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                    .execute();
        } catch (TimeoutException e) {
            throw new TmuxException("tmux " + describe(args) + " did not answer within "
                    + CALL_TIMEOUT_MILLIS + " ms; the tmux server may be wedged", "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while running tmux " + describe(args));
        }
        String stderr = err.toString(StandardCharsets.UTF_8).trim();
        if (!stderr.isEmpty() || r.getExitValue() != 0) {
            throw new TmuxException("tmux " + describe(args) + " failed (exit " + r.getExitValue() + "): "
                    + (stderr.isEmpty() ? "no message" : stderr), stderr);
        }
        return r.outputUTF8();
    }

    private static String describe(List<String> args) {
        String s = String.join(" ", args);
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    /** A failed tmux call; tells the common causes apart by tmux's message. */
    static final class TmuxException extends IOException {
        private static final long serialVersionUID = 1L;
        private final String stderr;

        TmuxException(String message, String stderr) {
            super(message);
            this.stderr = stderr;
        }

        /** @return whether no server runs on the socket (never started, exited, or killed) */
        boolean noServer() {
            return stderr.contains("no server running") || stderr.contains("error connecting to")
                    || stderr.contains("server exited unexpectedly");
        }

        /** @return whether the targeted session does not exist */
        boolean noSession() {
            return stderr.contains("can't find") || stderr.contains("no such session");
        }
    }
}
