package io.github.bgtasks.tmux.internal;

import io.github.bgtasks.internal.posix.PrivateFiles;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Writes the per-task wrapper script ({@code run.sh}) that tmux starts in the task's pane, and
 * the {@code pipe-pane} command that copies the pane's output into the task's log.
 *
 * <p>Where Perl is installed, the tmux backend runs {@link PerlWrapper} instead: the same
 * promises in one process. This shell script is the wrapper without Perl, and the SSH
 * backend's on remote hosts.
 *
 * <p>tmux only ever sees {@code env -i /bin/sh <dir>/run.sh}: two or more arguments, so tmux
 * calls {@code execvp} and no shell parses user bytes, and no argument ends in {@code ;}. The
 * script starts from an empty environment and exports exactly the launch's environment, so
 * nothing of the tmux server's environment (the first client's) or of another task leaks in.
 * Every user value is a POSIX single-quoted literal, in a file, so there is no size limit and
 * nothing is interpreted.
 *
 * <p>What the script does, and why:
 * <ul>
 *   <li>first waits for the word {@code go} on the FIFO {@code go} in the task's state
 *       directory: the JVM writes it only once tmux has confirmed the session as this task's,
 *       so that a session that a slow tmux creates after the JVM gave up on the start runs
 *       nothing (the JVM then closes the FIFO unanswered, or has removed it);</li>
 *   <li>runs the command in the background and waits for it, because a shell runs traps only
 *       between foreground commands; it forwards HUP (the pty hangs up when the session is
 *       killed or the server dies: only the session leader gets it) and TERM (sent by
 *       {@code terminate()}) once to its whole process group, followed by CONT;</li>
 *   <li>starts the command through a small Perl reaper ({@link #REAPER}) that records exactly
 *       whether it exited or was killed by a signal, and resets SIGINT, which a non-interactive
 *       shell starts background commands with ignored, so that a person's Ctrl-C in an attached
 *       session reaches the task. Without Perl, {@code env --default-signal=INT,QUIT} resets
 *       the signals where available, and statuses 129..192 count as signals (the shell
 *       reports a death by signal N as 128+N, as {@code Process.exitValue()} does);</li>
 *   <li>records how the command ended in {@code exit}, atomically (write, then rename):
 *       {@code exit N} or {@code signal N}, plus {@code hangup} when the terminal
 *       hung up (then, should the command ignore SIGHUP, it gets SIGTERM and then SIGKILL, each
 *       after the stop grace period: with its terminal gone, nobody could reach it);</li>
 *   <li>enforces the timeout itself (a watchdog writes {@code timedout}, sends TERM, and
 *       SIGKILLs the group after the grace period), so it holds while no JVM watches;</li>
 *   <li>finally SIGKILLs what is left of its process group (background children), so nothing
 *       of the task outlives it and the pane closes at once.</li>
 * </ul>
 */
public final class Wrapper {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private Wrapper() {
    }

    /**
     * Runs the command as its child and records exactly how it ended ({@code exit N} or
     * {@code signal N}), which a shell cannot tell apart (both are 128+N to it). An exit is
     * recorded directly as the task's {@code exit} record (the wrapper adds nothing to it); a
     * signal goes to {@code status}, for the wrapper to add whether the terminal hung up. It resets
     * SIGINT and SIGQUIT, which a shell starts background commands with ignored, so that a
     * person's Ctrl-C reaches the task. It outlives the command to record its end: it ignores
     * or only notes the signals sent to the whole group, and passes SIGHUP and SIGTERM on to a
     * command that did not exist yet when they came (as when the terminal hung up before the
     * command started: a session killed at once).
     */
    static final String REAPER = String.join("\n",
            "my $f = shift; my $ours = shift; my %pending;",
            "delete $ENV{PERL_BADLANG} if $ours eq \"badlang\";",
            "$SIG{$_} = sub { $pending{$_[0]} = 1 } for qw(HUP TERM);",
            "$SIG{$_} = \"IGNORE\" for qw(INT QUIT TSTP);",
            "my $pid = fork; defined $pid or die \"bgtasks: fork failed: $!\\n\";",
            "if (!$pid) {",
            "  $SIG{$_} = \"DEFAULT\" for qw(INT QUIT TSTP HUP TERM);",
            "  $pending{HUP} = 1 unless -t STDIN;", // the terminal hung up before we got here
            "  kill($_, $$) for sort keys %pending;",
            "  exec { $ARGV[0] } @ARGV;",
            // $! == 2 (ENOENT on every Unix), not $!{ENOENT}: %! loads Errno, Exporter and
            // strict, about 2 ms more on every start (measured: 8.2 against 6.3 ms a reaper).
            "  print STDERR \"$ARGV[0]: $!\\n\"; exit($! == 2 ? 127 : 126);",
            "}",
            "kill($_, $pid) for sort keys %pending;",
            "waitpid($pid, 0); my $w = $?;",
            "my $s = ($w & 127) ? \"signal \" . ($w & 127) : \"exit \" . ($w >> 8);",
            // An exit is the final record as it is (a hangup only matters to a signal): written
            // as "exit" at once, which spares the wrapper an mv(1) on the way to the end.
            "my $to = ($w & 127) ? $f : $f =~ s{status$}{exit}r;",
            "if (open(my $o, \">\", \"$f.tmp\")) { print $o \"$s\\n\"; close($o); rename(\"$f.tmp\", $to); }",
            "exit(($w & 127) ? 128 + ($w & 127) : $w >> 8);",
            "");

    /**
     * Shows a growing log in the pane for {@code Output.DIRECT}: what is new, but at most the
     * last 64 KiB of it per look (saying how much it left out: the log has it), a look every
     * 0.1 s while the log grows, slowing to one a second while it does not. So tmux never has
     * to read a burst of output byte by byte, which on a busy machine would take the CPU that
     * the task writes its log with (measured, 2 cores at load 7: {@code tail -f} kept 290 MiB/s
     * of a plain redirect's 300-500, this 470-840).
     */
    static final String VIEWER = String.join("\n",
            "my $f = shift; open(my $h, \"<\", $f) or exit 1; $| = 1; my ($pos, $nap, $buf) = (0, 0.1);",
            "while (1) {",
            "  my $size = -s $h; $pos = 0 if $size < $pos;",
            "  if ($size > $pos) {",
            "    if ($size - $pos > 65536) {",
            "      printf \"\\r\\n[bgtasks: %d bytes not shown here; the log has them]\\r\\n\", $size - 65536 - $pos;",
            "      $pos = $size - 65536;",
            "    }",
            "    seek($h, $pos, 0); $pos += read($h, $buf, $size - $pos); print $buf; $nap = 0.1;",
            "  } elsif ($nap < 1) { $nap *= 2; }",
            "  select(undef, undef, undef, $nap);",
            "}",
            "");

    /**
     * Writes the wrapper, mode 0700, in the task's state directory: with Perl the one process of
     * {@link PerlWrapper} ({@code run.pl}), else the shell script {@code run.sh}.
     *
     * @param viewer see {@link #script(Launch, Path, Tools, String)}
     * @return the script
     */
    static Path write(Launch l, Path dir, Tools tools, String viewer) throws IOException {
        boolean perl = tools.perl() != null;
        Path script = dir.resolve(perl ? PerlWrapper.FILE : "run.sh");
        String text = perl ? PerlWrapper.script(l, dir, viewer != null) : script(l, dir, tools, viewer);
        // One open that creates it with its mode, where createFile and writeString opened it twice.
        try (SeekableByteChannel c = Files.newByteChannel(script, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PrivateFiles.OWNER_ONLY_EXECUTABLE)) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                c.write(b);
            }
        }
        return script;
    }

    /** @return what tmux runs in the pane: the script, from an empty environment, with no shell parsing user bytes */
    static List<String> command(Tools tools, Path script) {
        boolean perl = script.getFileName().toString().equals(PerlWrapper.FILE);
        return List.of(tools.env(), "-i", perl ? tools.perl() : "/bin/sh", script.toString());
    }

    /**
     * The {@code pipe-pane} command: appends the pane's bytes to the log, then marks the log
     * complete. tmux runs it with {@code /bin/sh -c} after format expansion, so the paths are
     * shell-quoted and every {@code #} is doubled.
     *
     * <p>Opening the log can never block: it is opened read-write first ({@code 3<>}, which
     * returns at once even for a FIFO), appended to only if that descriptor is a regular file,
     * and never created (a start that failed has had its log removed). Otherwise the pane's
     * output is read and dropped, so that the task still runs and its end is still noticed.
     */
    static String logPipe(Path log, Path dir) {
        String l = quote(log.toString());
        // The second cat only drains when the first did not run or failed: one process less at
        // each task's end, where the log's completion waits for this command to finish.
        String cmd = "{ [ -f " + l + " ] && { [ -f /dev/fd/3 ] && cat >> /dev/fd/3; } 3<> " + l + "; } "
                + "|| cat > /dev/null; : > " + quote(dir.resolve("closed").toString());
        return cmd.replace("#", "##");
    }

    /**
     * Writes the script for one launch.
     *
     * <p>The watchdog sleeps the launch's whole timeout, counted from the moment the command
     * starts. It is not shortened by the time since {@link Launch#startedAt()}: that instant
     * comes from the core's clock, which may be injected (a fixed clock in tests, a clock of
     * another zone or offset), and measuring it against this machine's clock would give a
     * watchdog that fires at once or never. The core's own timer, on its monotonic ticker,
     * counts from the start too and usually acts a moment earlier; the watchdog is what holds
     * while no JVM watches.
     *
     * @param l the launch
     * @param dir the task's state directory, where the script records the task's end (on the
     *     machine where the script runs, which for the SSH backend is a remote host)
     * @param tools the helper programs on that machine
     * @return the script's text
     */
    public static String script(Launch l, Path dir, Tools tools) {
        return script(l, dir, tools, null);
    }

    /**
     * Writes the script for one launch, as {@link #script(Launch, Path, Tools)}, with the
     * choice of where the command's output goes.
     *
     * <p>With a viewer, the command writes its output and errors straight into the log (opened
     * for appending, and only if it is a regular file, as {@link #logPipe} does), and no
     * {@code pipe-pane} is started: nothing stands between the command and the file. The pane
     * then shows the log through {@link #VIEWER} (with Perl) or {@code tail -f}, which ignore HUP, TERM, INT, QUIT and TSTP
     * (Ctrl-C is for the task) and is swept with the group at the end. The command's stdin is
     * still the pane's terminal, so typed input reaches it; its stdout and stderr are not a
     * terminal. The {@code closed} marker is written with {@code started}: the log no longer waits for the
     * pane, and is complete once the wrapper has swept its group, which the JVM waits for anyway.
     * The viewer starts after the command, so that its fork and exec do not delay it.
     *
     * @param l the launch
     * @param dir the task's state directory
     * @param tools the helper programs on the machine where the script runs
     * @param viewer tail(1) to show the log in the pane while the command writes it directly,
     *     or {@code null} for the command to write to the pane (whose bytes {@code pipe-pane} copies)
     * @return the script's text
     */
    static String script(Launch l, Path dir, Tools tools, String viewer) {
        StringBuilder s = new StringBuilder(4096);
        s.append("# generated by bgtasks for task ").append(l.id()).append(": runs it and records how it ended\n");
        s.append("st=").append(quote(dir.toString())).append('\n');
        // Nothing runs until the JVM has confirmed the session as its own and says "go" through
        // the FIFO. A start it gave up on never says it: the JVM closes its end (end of file)
        // or has removed the FIFO (the open fails), and the wrapper ends here, having run nothing.
        s.append("{ read -r go < \"$st/go\"; } 2>/dev/null\n");
        s.append("[ \"$go\" = go ] || exit 0\n");
        s.append("finish() { trap '' HUP TERM INT; printf '%s\\n' \"$1\" > \"$st/exit.tmp$2\" && ")
                .append(quote(tools.mv())).append(" -f \"$st/exit.tmp$2\" \"$st/exit\"; }\n");
        s.append("fwd() { trap '' \"$1\"; kill \"-$1\" 0 2>/dev/null; kill -CONT 0 2>/dev/null; }\n");
        // After a hangup nobody can reach the task any more: HUP, then TERM, then KILL.
        s.append("escalate() { ( trap '' HUP TERM INT; exec 3<&-; ").append(quote(tools.sleep())).append(' ')
                .append(seconds(l.stopGracePeriod())).append("; kill -TERM 0; kill -CONT 0; ").append(quote(tools.sleep()))
                .append(' ').append(seconds(l.stopGracePeriod()))
                .append("; finish 'signal 9 hangup' .h; kill -KILL 0 ) </dev/null >/dev/null 2>&1 & }\n");
        s.append("trap 'hup=1; fwd HUP; escalate' HUP\n");
        s.append("trap 'term=1; fwd TERM' TERM\n");
        // Ctrl-C and Ctrl-Z from a person reach the whole foreground group; the wrapper stays.
        s.append("trap : INT TSTP\n");
        s.append("exec 3<&0\n"); // a background command's stdin would be /dev/null: keep the tty
        String log = quote(l.logFile().toString());
        if (viewer != null) {
            s.append("view=\nif [ -f ").append(log).append(" ]; then exec 4>> ").append(log).append("; view=1\n");
            s.append("else exec 4> /dev/null; fi\n");
        }
        // The command's environment is set up in a subshell, so that no variable of the task
        // can change one of the wrapper's (st, hup, child...).
        s.append("( cd -- ").append(quote(l.workingDirectory().toString())).append(" || exit 126\n");
        // The shell exports PWD and OLDPWD on its own; the task gets exactly the launch's environment.
        s.append("  unset PWD OLDPWD\n");
        StringBuilder viaEnv = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(l.environment()).entrySet()) {
            if (IDENTIFIER.matcher(e.getKey()).matches() && !e.getKey().equals("OPTIND")) {
                s.append("  export ").append(e.getKey()).append('=').append(quote(e.getValue())).append('\n');
            } else {
                // Names the shell cannot export go through env(1) on the command line.
                viaEnv.append(' ').append(quote(e.getKey() + "=" + e.getValue()));
            }
        }
        boolean perl = tools.perl() != null;
        boolean resetSignals = !perl && tools.defaultSignal();
        // PERL_BADLANG=0 keeps Perl from warning into the log about a locale that is not
        // installed; the reaper removes it again unless the task's environment has it.
        boolean badlang = perl && !l.environment().containsKey("PERL_BADLANG");
        if (badlang) {
            // Exported in the subshell, not through env(1): one exec less on every start.
            s.append("  export PERL_BADLANG=0\n");
        }
        s.append("  exec ");
        if (viaEnv.length() > 0 || resetSignals) {
            s.append(quote(tools.env())).append(resetSignals ? " --default-signal=INT,QUIT" : "").append(viaEnv)
                    .append(' ');
        }
        if (perl) {
            s.append(quote(tools.perl())).append(" -e ").append(quote(REAPER)).append(" \"$st/status\" ")
                    .append(badlang ? "badlang" : "-").append(' ');
        }
        s.append(String.join(" ", l.argv().stream().map(Wrapper::quote).toList()));
        s.append(viewer != null ? " ) 0<&3 3<&- 1>&4 2>&4 4>&- &\n" : " ) 0<&3 3<&- &\n");
        s.append("child=$!\n");
        // Signals that came before the command existed did not reach it: pass them on (the reaper
        // also checks for them itself, which closes the remaining gap).
        s.append("[ -n \"$hup\" ] && kill -HUP 0\n");
        s.append("[ -n \"$term\" ] && kill -TERM 0\n");
        // From now on stop() and kill() reach the command: the traps are set and it exists.
        if (viewer != null) {
            // Written with started, so that one file event, not two, wakes the JVM.
            s.append(": > \"$st/closed\"\n");
        }
        s.append("printf '%s\\n' \"$child\" > \"$st/child\"; : > \"$st/started\"\n");
        if (viewer != null) {
            // Only now the viewer: its fork and exec no longer delay the command.
            String show = tools.perl() != null ? quote(tools.perl()) + " -e " + quote(VIEWER) + " " + log
                    : quote(viewer) + " -n +1 -f " + log;
            s.append("[ -n \"$view\" ] && ( trap '' HUP TERM INT QUIT TSTP; exec ").append(show)
                    .append(" ) 0</dev/null 3<&- 4>&- 2>/dev/null &\n");
        }
        l.timeout().ifPresent(limit -> {
            s.append("( trap '' HUP TERM INT; exec 3<&-\n");
            s.append("  ").append(quote(tools.sleep())).append(' ').append(seconds(limit)).append('\n');
            s.append("  : > \"$st/timedout\"; kill -TERM $$\n");
            s.append("  ").append(quote(tools.sleep())).append(' ').append(seconds(l.stopGracePeriod())).append('\n');
            s.append("  finish 'signal 9' .w; kill -KILL 0 ) </dev/null &\n");
        });
        s.append("rc=0\n");
        // wait returns 128+n when a trap interrupts it: wait again until the child is gone.
        s.append("while kill -0 \"$child\" 2>/dev/null; do wait \"$child\"; rc=$?; done\n");
        s.append("h=$hup\n"); // a hangup after the command ended did not end it

        s.append("wait \"$child\" 2>/dev/null; r=$?; [ \"$r\" -ne 127 ] && rc=$r\n");
        s.append("if [ \"$rc\" -gt 128 ] && [ \"$rc\" -le 192 ]; then s=\"signal $((rc - 128))\"; else s=\"exit $rc\"; fi\n");
        s.append("[ -f \"$st/status\" ] && read -r s < \"$st/status\"\n"); // the reaper's exact status
        s.append("[ -n \"$h\" ] && s=\"$s hangup\"\n");
        s.append("[ -f \"$st/exit\" ] || finish \"$s\"\n"); // the reaper recorded an exit itself
        s.append("kill -KILL 0\n"); // sweep the group; this ends the wrapper too
        return s.toString();
    }

    /**
     * POSIX single quoting: the result is one literal word for any input without NUL.
     *
     * @param s any text without NUL
     * @return the quoted word
     */
    public static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** @return a duration as seconds with three decimals, as sleep(1) and Perl take it */
    static String seconds(Duration d) {
        long ms = Math.max(0, d.toMillis());
        return String.format(Locale.ROOT, "%d.%03d", ms / 1000, ms % 1000);
    }
}
