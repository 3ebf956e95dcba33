package io.github.bgtasks.internal.posix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One reading of {@code /proc/<pid>/stat} (Linux): the fields that tell a process's state, its
 * family and its identity. The start time tells a process apart from a later one that reuses
 * its id.
 *
 * <p><b>Not API.</b> This class is immutable and thread-safe.
 *
 * @param pid the process id
 * @param state the state letter: {@code R} running, {@code S} sleeping, {@code D} disk wait,
 *     {@code T} stopped, {@code Z} zombie...
 * @param ppid the parent's process id
 * @param pgid the process group
 * @param sid the session
 * @param cpuTicks user plus system time, in clock ticks: grows while the process works
 * @param startTime when the process started, in clock ticks after boot
 */
public record ProcStat(long pid, char state, long ppid, long pgid, long sid, long cpuTicks, long startTime) {

    /**
     * Reads a process's stat.
     *
     * @param pid the process id
     * @return its stat, or empty if it does not exist (any more), or there is no {@code /proc}
     */
    public static Optional<ProcStat> read(long pid) {
        String s;
        try {
            s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return parse(pid, s);
    }

    /**
     * Parses the text of a stat file. The command name, in parentheses, may itself hold
     * spaces and parentheses, so fields are counted from the last {@code ')'}.
     *
     * @param pid the process id it belongs to
     * @param text the file's content
     * @return the stat, or empty if the text is not a stat line
     */
    public static Optional<ProcStat> parse(long pid, String text) {
        int close = text.lastIndexOf(')');
        if (close < 0 || close + 2 > text.length()) {
            return Optional.empty();
        }
        String[] f = text.substring(close + 2).trim().split(" ");
        try {
            return Optional.of(new ProcStat(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[2]),
                    Long.parseLong(f[3]), Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[19])));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** @return whether the process has exited and waits to be reaped */
    public boolean isZombie() {
        return state == 'Z';
    }
}
