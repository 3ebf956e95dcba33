package io.github.bgtasks.tmux.internal;

import io.github.bgtasks.internal.posix.DaemonThreads;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keeper: one tmux control-mode client ({@code tmux -C new-session}) that this JVM starts
 * and holds by its stdin, attached to a session of its own, the keeper session. It does two
 * things. It keeps the server running between tasks (with {@code exit-empty}, the server would
 * exit with the last task's session and start again, 8 ms more, with the next), and it carries
 * commands: each is a line on its stdin, answered in a {@code %begin}/{@code %end} (or
 * {@code %error}) block on its stdout, with no tmux process started per command.
 *
 * <p>The keeper session has {@code destroy-unattached} on: when this JVM dies, however it
 * dies, the client reads end of file and exits, the session goes, and the server exits once no
 * task's session is left either. Its name ({@code bgtasks-keeper@<pid>-<n>}) holds an
 * {@code @}, which no task name can, and it has no task tag, so no listing takes it for a task.
 *
 * <p>Replies are matched by order: the server runs one client's commands in the order they
 * arrive and guards the output of each command of a line with a block flagged {@code 1}; a
 * line of {@code n} commands is answered by {@code n} blocks, or fewer if one fails (tmux then
 * skips the rest of the line), the last of which is an {@code %error}. The client's own
 * command (creating the keeper session) is flagged {@code 0}; notifications
 * ({@code %sessions-changed}...) come between blocks and are ignored.
 *
 * <p>Commands are written as config-file lines: every argument single-quoted (literal: no
 * {@code $}, {@code ~}, {@code #} comment, {@code {}} or {@code ;} meaning), {@code '} as
 * {@code '"'"'}. An argument with a control character (a newline would end the line) is not
 * sent here; nor is a line while the unanswered lines could fill the pipe, so that a write
 * never blocks on a server that does not read. This class is thread-safe.
 */
final class ControlChannel {
    private static final Logger LOG = LoggerFactory.getLogger(ControlChannel.class);
    /** What the first word of the keeper session's name says to a person running {@code tmux ls}. */
    static final String NAME_PREFIX = "bgtasks-keeper@";
    /**
     * Bytes of lines that may be written and not yet answered: below the smallest pipe buffer
     * (one page), so that writing never blocks, even on a stopped server.
     */
    private static final int MAX_UNANSWERED = 4096;
    /** Shown in the keeper session's pane to a person who attaches to it. */
    private static final String NOTE = "bgtasks: this session keeps the tmux server running for the JVM with "
            + "pid %d, so that its tasks start fast. It ends with that JVM (or its TmuxBackend's close()); "
            + "killing it is harmless (the JVM makes another when it next starts a task)";

    private final String session;
    private final Process process;
    private final OutputStream stdin;
    private final Object lock = new Object();
    /** The lines written and not yet fully answered, oldest first. Guarded by {@link #lock}. */
    private final ArrayDeque<Request> pending = new ArrayDeque<>();
    /** Guarded by {@link #lock}. */
    private int unansweredBytes;
    /** Completes with the server's pid once the keeper session is set up, exceptionally if it cannot be. */
    private final CompletableFuture<Long> ready = new CompletableFuture<>();
    /** Completes with why the client ended. */
    private final CompletableFuture<String> ended = new CompletableFuture<>();
    /** The server's pid, once the keeper session exists; only the reader thread uses it. */
    private long serverPid;

    private ControlChannel(String session, Process process) {
        this.session = session;
        this.process = process;
        this.stdin = process.getOutputStream();
    }

    /**
     * Starts a keeper client; it is ready (see {@link #ready()}) once its session exists and is
     * set to go with the client.
     *
     * @param base the tmux program and the arguments that name the server and configuration
     * @param session the keeper session's name, unique on the server
     * @return the channel, not ready yet
     * @throws IOException if the client cannot be started
     */
    static ControlChannel start(List<String> base, String session) throws IOException {
        List<String> cmd = new ArrayList<>(base);
        cmd.addAll(List.of("-C", "new-session", "-f", "no-output,ignore-size", "-P", "-F", "bgtasks-keeper #{pid}",
                "-x", "80", "-y", "24", "-s", session, "--",
                "/bin/sh", "-c", "printf '%s\\n' \"$0\"; exec sleep 2147483647",
                String.format(java.util.Locale.ROOT, NOTE, ProcessHandle.current().pid()), ";"));
        cmd.addAll(setUp(session));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        // A JVM running inside tmux must not steer the client to the enclosing server.
        pb.environment().remove("TMUX");
        pb.environment().remove("TMUX_PANE");
        ControlChannel c = new ControlChannel(session, pb.start());
        DaemonThreads.factory("bgtasks-tmux-keeper").newThread(c::read).start();
        return c;
    }

    /** @return the keeper session's name */
    String session() {
        return session;
    }

    /** @return the control client process */
    ProcessHandle client() {
        return process.toHandle();
    }

    /** @return completes with the server's pid once commands can be sent, exceptionally if they never can */
    CompletableFuture<Long> ready() {
        return ready;
    }

    /** @return whether commands can be sent: the keeper session is set up and the client has not ended */
    boolean isUp() {
        return ready.isDone() && !ready.isCompletedExceptionally() && !ended();
    }

    /** @return whether the client has ended (or is ending): nothing more is answered */
    boolean ended() {
        return ended.isDone();
    }

    /** @return completes with why the client ended */
    CompletableFuture<String> whenEnded() {
        return ended;
    }

    /**
     * Sends one line of commands.
     *
     * @param args the commands and their arguments, separated by {@code ";"} elements, as for a tmux client's argv
     * @return the output of all its commands, or {@code null} if the line was not sent: the channel
     *     is not ready or has ended, an argument cannot be written on a line, or too much is unanswered.
     *     The future fails with a {@link TmuxException}: tmux's error, or, {@link TmuxException#unanswered()},
     *     the client ended before the answer (the line may have been carried out or not)
     */
    CompletableFuture<String> send(List<String> args) {
        String line = line(args);
        if (line == null || !isUp()) {
            return null;
        }
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        return write(bytes, (int) args.stream().filter(";"::equals).count() + 1, args);
    }

    private CompletableFuture<String> write(byte[] bytes, int commands, List<String> args) {
        Request r = new Request(commands, bytes.length, String.join(" ", args));
        synchronized (lock) {
            if (ended() || unansweredBytes + bytes.length > MAX_UNANSWERED) {
                return null;
            }
            pending.add(r);
            unansweredBytes += bytes.length;
            try {
                // Under the lock: lines go out in the order of the queue that matches them to answers.
                stdin.write(bytes);
                stdin.flush();
            } catch (IOException e) {
                // The pipe is closed, so nothing of the line was read: not sent.
                pending.removeLast();
                unansweredBytes -= bytes.length;
                return null;
            }
        }
        return r.reply;
    }

    /**
     * Writes the commands as one line of tmux's configuration syntax, each argument single-quoted.
     *
     * @return the line, or {@code null} if an argument holds a control character
     */
    static String line(List<String> args) {
        StringBuilder b = new StringBuilder();
        for (String a : args) {
            if (b.length() > 0) {
                b.append(' ');
            }
            if (a.equals(";")) {
                b.append(';');
                continue;
            }
            for (int i = 0; i < a.length(); i++) {
                char c = a.charAt(i);
                if (c < 0x20 || c == 0x7f) {
                    return null;
                }
            }
            b.append('\'').append(a.replace("'", "'\"'\"'")).append('\'');
        }
        return b.toString();
    }

    /**
     * Ends the client: closes its stdin (it then exits, and its session goes), and waits a
     * moment for it to exit; kills it if it does not.
     *
     * @param waitMillis how long to wait for it to exit
     */
    void close(long waitMillis) {
        try {
            // A session being created as stdin closes might never have had its client: let it be set up first.
            ready.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // never set up, or not in time: closing stdin (and the kill below) ends the client anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            try {
                stdin.close();
            } catch (IOException e) {
                // already closed
            }
        }
        try {
            if (!process.waitFor(waitMillis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Gives up the client at once (a wedged server): kills it; what it has not answered ends unanswered. */
    void kill() {
        process.destroyForcibly();
        synchronized (lock) {
            try {
                stdin.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    /** The reader thread: matches blocks to lines until the client ends. */
    private void read() {
        String why = "the tmux control client ended";
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String guard = null; // "time number flags" of the block being read
            StringBuilder text = new StringBuilder();
            String line;
            while ((line = out.readLine()) != null) {
                if (guard == null) {
                    if (line.startsWith("%begin ")) {
                        guard = line.substring("%begin ".length());
                        text.setLength(0);
                    } else if (line.startsWith("%exit")) {
                        why = "the tmux control client exited" + (line.length() > 5 ? " (" + line.substring(6) + ")" : "");
                    }
                    // anything else is a notification
                } else if (line.equals("%end " + guard) || line.equals("%error " + guard)) {
                    block(guard.endsWith(" 1"), line.startsWith("%error"), text.toString().strip());
                    guard = null;
                } else {
                    text.append(line).append('\n');
                }
            }
        } catch (IOException | RuntimeException e) {
            why = "reading the tmux control client failed: " + e;
        }
        end(why);
    }

    /** One answered block: the keeper's own command (flags 0), or the next of a line's commands. */
    private void block(boolean fromLines, boolean error, String text) {
        if (!fromLines) {
            keeperBlock(error, text);
            return;
        }
        Request r;
        synchronized (lock) {
            r = pending.peek();
            if (r == null) {
                LOG.debug("tmux keeper {}: an answer to no command: {}", session, text);
                return;
            }
            r.answered++;
            if (!text.isEmpty() && !error) {
                r.output.append(text).append('\n');
            }
            if (!error && r.answered < r.commands) {
                return;
            }
            pending.poll();
            unansweredBytes -= r.bytes;
        }
        if (error) {
            r.reply.completeExceptionally(new TmuxException("tmux " + r.describe() + " failed: " + text, text, false,
                    false));
        } else {
            r.reply.complete(r.output.toString());
        }
    }

    /**
     * One of the blocks of the client's own commands: creating the keeper session (its output
     * names the server's pid), then setting {@code destroy-unattached} on it. Both are in the
     * client's argv, so that no moment passes in which the session exists and would outlive
     * this JVM. Should setting the option fail, it is sent again as a line, the session now
     * existing for sure.
     */
    private void keeperBlock(boolean error, String text) {
        if (ready.isDone()) {
            return;
        }
        if (serverPid == 0) {
            String[] f = text.split(" ");
            if (error || f.length != 2 || !f[0].equals("bgtasks-keeper")) {
                ready.completeExceptionally(new IOException("tmux could not create the keeper session '" + session
                        + "': " + (text.isEmpty() ? "no message" : text)));
                kill();
                return;
            }
            serverPid = Long.parseLong(f[1]);
            return;
        }
        if (!error) {
            ready.complete(serverPid);
            return;
        }
        LOG.debug("tmux keeper {}: setting destroy-unattached failed ({}); sending it again", session, text);
        CompletableFuture<String> again = write((line(setUp(session)) + "\n").getBytes(StandardCharsets.UTF_8), 1,
                setUp(session));
        if (again == null) {
            ready.completeExceptionally(new IOException("the tmux control client ended"));
            return;
        }
        again.whenComplete((ok, e) -> {
            if (e != null) {
                ready.completeExceptionally(e);
                kill();
            } else {
                ready.complete(serverPid);
            }
        });
    }

    /** @return the command that makes the keeper session go with its last client */
    private static List<String> setUp(String session) {
        return List.of("set-option", "-t", Sessions.paneTarget(session), "destroy-unattached", "on");
    }

    /** The client has ended: nothing written and unanswered will be answered. */
    private void end(String why) {
        List<Request> lost;
        synchronized (lock) {
            ended.complete(why);
            lost = new ArrayList<>(pending);
            pending.clear();
            unansweredBytes = 0;
        }
        ready.completeExceptionally(new IOException(why + " before the keeper session was set up"));
        for (Request r : lost) {
            r.reply.completeExceptionally(TmuxException.unanswered("tmux " + r.describe() + " got no answer: " + why
                    + "; it may or may not have been carried out"));
        }
        process.destroyForcibly(); // normally gone already
    }

    /** One line sent and its answer so far. */
    private static final class Request {
        final int commands;
        final int bytes;
        final String args;
        final StringBuilder output = new StringBuilder();
        final CompletableFuture<String> reply = new CompletableFuture<>();
        int answered;

        Request(int commands, int bytes, String args) {
            this.commands = commands;
            this.bytes = bytes;
            this.args = args;
        }

        String describe() {
            return io.github.bgtasks.internal.Text.abbreviate(args, io.github.bgtasks.internal.Text.MAX_VALUE);
        }
    }
}
