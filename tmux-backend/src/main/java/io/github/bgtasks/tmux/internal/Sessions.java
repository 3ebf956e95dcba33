package io.github.bgtasks.tmux.internal;

import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tasks' tmux sessions, each named exactly as its task and tagged with the task's tag in
 * the session option {@code @bgtasks-id}: a session is the task's only while the tag matches
 * (a session of the same name may be another JVM's, or a later one). Creates a session with
 * its log pipe and tag in one call and confirms it, tells whether one exists, lists them,
 * types into one, kills one. Holds no state of its own besides the client; thread-safe.
 */
public final class Sessions {
    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
    /** Bytes per {@code send-keys -H} call: 3 argv bytes each, well under tmux's 16 KiB. */
    private static final int SEND_CHUNK = 4000;

    private final TmuxClient tmux;

    /** @param tmux the client of the backend's server */
    public Sessions(TmuxClient tmux) {
        this.tmux = tmux;
    }

    /** An exact target for the session's (only) pane: {@code =name:}, never a prefix match. */
    static String paneTarget(String name) {
        return "=" + name + ":";
    }

    /**
     * Creates the session, its log pipe and its tag in one tmux call, through the keeper's
     * control client when it is up. With exit-empty, a server whose last session just ended
     * exits while a new client may already be talking to it ("server exited unexpectedly"):
     * then the call is repeated (a session on a server that exited is gone with it, and its
     * wrapper never got a go). If tmux gave no answer in time, it may still create the session:
     * it is asked once whether the session exists and is ours. If the keeper ended before it
     * answered, it is asked too, and the call is repeated with a tmux client of its own if not:
     * a keeper is only ever a matter of speed.
     *
     * @param command what the pane runs (the wrapper)
     * @param logPipe the {@code pipe-pane} command, or {@code null} where the wrapper writes the log itself
     * @return the pane's pid (the wrapper's), once tmux has confirmed the session as this task's
     */
    long create(Launch launch, String tag, List<String> command, String logPipe) throws IOException {
        String name = launch.name();
        List<String> args = new ArrayList<>(List.of(
                "new-session", "-d", "-P", "-F", "#{pid} #{pane_pid}", "-s", name, "-x", "200", "-y", "50", "--"));
        args.addAll(command);
        if (logPipe != null) {
            args.addAll(List.of(";", "pipe-pane", "-o", "-t", paneTarget(name), logPipe));
        }
        args.addAll(List.of(";", "set-option", "-t", paneTarget(name), "@bgtasks-id", tag));
        boolean keeper = true;
        for (int attempt = 1; ; attempt++) {
            try {
                String[] f = (keeper ? tmux.call(args) : tmux.run(args)).trim().split(" ");
                if (f.length != 2) {
                    throw new IOException("tmux new-session answered '" + String.join(" ", f) + "', not a server and a "
                            + "pane pid");
                }
                tmux.serverPid(Long.parseLong(f[0]));
                return Long.parseLong(f[1]);
            } catch (TmuxException e) {
                if (e.timedOut() || e.duplicateSession() || e.unanswered()) {
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
                    if (!e.unanswered() || attempt == 5) {
                        throw e;
                    }
                    // Should the keeper's line still be carried out, this one finds a duplicate, and asks again.
                    keeper = false;
                } else if (!e.noServer() || attempt == 5) {
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

    /** Asks tmux about this one session (not a listing of all): whether it exists and is the task's. */
    boolean exists(String name, String tag) {
        try {
            return ourPane(name, tag) > 0;
        } catch (IOException e) {
            return true; // unknown: let the next sweep decide
        }
    }

    /** @return whether the server runs; {@code true} where that cannot be told */
    boolean serverRuns() {
        try {
            return liveTags() != null;
        } catch (IOException e) {
            return true;
        }
    }

    /** @return the {@code @bgtasks-id} of every live session, or {@code null} if no server runs */
    Set<String> liveTags() throws IOException {
        try {
            return new HashSet<>(List.of(tmux.run(List.of("list-sessions", "-F", "#{@bgtasks-id}")).split("\n")));
        } catch (TmuxException e) {
            if (e.noServer()) {
                return null;
            }
            throw e;
        }
    }

    /** Types the bytes into the session's pane, byte-exact ({@code send-keys -H}), in chunks. */
    void type(String name, byte[] bytes) throws IOException {
        for (int from = 0; from < bytes.length; from += SEND_CHUNK) {
            List<String> args = new ArrayList<>(List.of("send-keys", "-t", paneTarget(name), "-H"));
            for (int i = from; i < Math.min(bytes.length, from + SEND_CHUNK); i++) {
                args.add(String.format(Locale.ROOT, "%02x", bytes[i] & 0xff));
            }
            tmux.run(args);
        }
    }

    /** Kills the session, if it is still the task's (same {@code @bgtasks-id}); a failure is only logged. */
    void kill(String name, String tag, String taskId) {
        try {
            String owner = tmux.run(List.of("display-message", "-p", "-t", paneTarget(name), "#{@bgtasks-id}")).trim();
            if (owner.equals(tag)) {
                tmux.run(List.of("kill-session", "-t", "=" + name));
            }
        } catch (TmuxException e) {
            if (!e.noServer() && !e.noSession()) {
                LOG.warn("could not kill the tmux session of task {}: {}", taskId, e.getMessage());
            }
        } catch (IOException e) {
            LOG.warn("could not kill the tmux session of task {}: {}", taskId, e.getMessage());
        }
    }
}
