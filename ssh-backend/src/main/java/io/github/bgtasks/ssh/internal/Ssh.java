package io.github.bgtasks.ssh.internal;

import io.github.bgtasks.tmux.internal.Wrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The system {@code ssh} client for one host: the command lines of the host's one master
 * connection and of the calls multiplexed over it, and a runner for those calls.
 *
 * <p>Every command line names the user's options ({@code -F}, {@code -o}) unchanged, so the
 * user's configuration, agent, ProxyJump and known_hosts checking all apply; {@code BatchMode}
 * keeps ssh from ever prompting. Each remote command is one string that the remote login
 * shell parses once: {@code exec /bin/sh -c '<script>' bgtasks '<arg>'...}, where the script is a
 * constant of this library and every value is a separate word quoted with
 * {@link Wrapper#quote}, the one quoting function for POSIX shells. This class is immutable
 * and thread-safe.
 */
public final class Ssh {
    private final List<String> base;
    /** ssh and the user's options only: what a person types. */
    private final List<String> userCommand;
    private final String destination;
    private final Path controlPath;
    private final ScheduledExecutorService scheduler;

    /**
     * @param executable the ssh program
     * @param userOptions the user's options, as given ({@code -F file}, {@code -o key=value}...)
     * @param destination the host as the user names it (an alias of the ssh configuration, or {@code user@host})
     * @param controlPath the master connection's socket, in a private directory
     * @param scheduler ends calls that take too long
     */
    public Ssh(String executable, List<String> userOptions, String destination, Path controlPath,
            ScheduledExecutorService scheduler) {
        List<String> b = new ArrayList<>();
        b.add(executable);
        b.addAll(userOptions);
        this.userCommand = List.copyOf(b);
        b.addAll(List.of("-o", "BatchMode=yes", "-o", "ControlPath=" + controlPath, "-T"));
        this.base = List.copyOf(b);
        this.destination = destination;
        this.controlPath = controlPath;
        this.scheduler = scheduler;
    }

    /** @return the host as the user names it */
    public String destination() {
        return destination;
    }

    /** @return the master connection's socket */
    Path controlPath() {
        return controlPath;
    }

    /**
     * The master connection, which also runs the host's event stream as its session: while it
     * runs, calls share its connection; when it ends, the stream ends, which is how a dropped
     * connection is noticed. Keep-alives notice a silent network within about 15 seconds.
     */
    List<String> masterCommand(String script, List<String> args) {
        List<String> c = new ArrayList<>(base);
        c.addAll(List.of("-o", "ControlMaster=yes", "-o", "ControlPersist=no", "-o", "ConnectTimeout=10",
                "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3", "--", destination, remote(script, args)));
        return c;
    }

    /** A call over the master connection (if it is down, ssh connects on its own). */
    List<String> callCommand(String script, List<String> args) {
        List<String> c = new ArrayList<>(base);
        c.addAll(List.of("-o", "ControlMaster=no", "--", destination, remote(script, args)));
        return c;
    }

    /**
     * The command a person types to attach: ssh with a terminal, then tmux on the host.
     *
     * @param tmuxAttach the tmux command line on the host, each word already quoted
     * @return the command, for a POSIX shell
     */
    String attachCommand(String tmuxAttach) {
        StringBuilder s = new StringBuilder();
        for (String w : userCommand) {
            s.append(plain(w) ? w : Wrapper.quote(w)).append(' ');
        }
        return s.append("-t ").append(plain(destination) ? destination : Wrapper.quote(destination)).append(' ')
                .append(Wrapper.quote(tmuxAttach)).toString();
    }

    private static boolean plain(String w) {
        return w.matches("[A-Za-z0-9_./@:=,+-]+");
    }

    /** @return whether a master connection answers on the control socket ({@code ssh -O check}) */
    boolean masterRuns() {
        List<String> c = new ArrayList<>(base);
        c.addAll(List.of("-O", "check", "--", destination));
        try {
            Process p = new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The one string the remote login shell parses: the script and its arguments, each quoted once. */
    static String remote(String script, List<String> args) {
        StringBuilder s = new StringBuilder("exec /bin/sh -c ").append(Wrapper.quote(script)).append(" bgtasks");
        for (String a : args) {
            s.append(' ').append(Wrapper.quote(a));
        }
        return s.toString();
    }

    /**
     * Runs a script on the host over the master connection.
     *
     * @param script a constant script; its values come from {@code args}
     * @param args the script's arguments ({@code $1}...), passed literally
     * @param input bytes for the script's standard input, or empty
     * @param limit how long the call may take
     * @return what the script wrote to standard output
     * @throws SshException if ssh or the script failed; the message has the script's or ssh's error output
     */
    byte[] run(String script, List<String> args, byte[] input, Duration limit) throws IOException {
        if (scheduler.isShutdown()) {
            throw new IOException("the SSH backend of " + destination + " is closed");
        }
        ProcessBuilder pb = new ProcessBuilder(callCommand(script, args));
        Process p = pb.start();
        ScheduledFuture<?> guard;
        try {
            guard = scheduler.schedule(p::destroyForcibly, limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            p.destroyForcibly();
            throw new IOException("the SSH backend of " + destination + " is closed", e);
        }
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(input);
            } catch (IOException e) {
                // The call ended early; its exit status and stderr say why.
            }
            byte[] out = readAll(p.getInputStream());
            byte[] err = readAll(p.getErrorStream());
            int rc = p.waitFor();
            if (rc != 0) {
                String msg = new String(err, StandardCharsets.UTF_8).trim();
                if (guard.isDone() && !guard.isCancelled()) {
                    msg = "no answer within " + limit.toSeconds() + " s" + (msg.isEmpty() ? "" : "; " + msg);
                }
                throw new SshException(destination, rc, msg, new String(out, StandardCharsets.UTF_8).trim());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new InterruptedIOException("interrupted while waiting for ssh " + destination);
        } finally {
            guard.cancel(false);
        }
    }

    /** Runs a script and returns its output as UTF-8 text. */
    String text(String script, List<String> args, Duration limit) throws IOException {
        return new String(run(script, args, new byte[0], limit), StandardCharsets.UTF_8);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        }
    }

    @Override
    public String toString() {
        return "ssh " + destination;
    }
}
