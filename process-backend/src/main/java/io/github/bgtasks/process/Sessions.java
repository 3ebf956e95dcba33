package io.github.bgtasks.process;

import io.github.bgtasks.internal.posix.ProcStat;
import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds and signals the processes of tasks by their session: for the Perl helper, what is left
 * of tasks whose helper died; for the JDK strategy with {@code setsid}, every stop. Each task's
 * pid is its session id and process group id, so its processes are found by one pass over
 * {@code /proc}, without the helper.
 * Signals go through {@link ProcessHandle}, which checks a process's start time before it
 * signals, so a pid reused between the scan and the signal is never hit.
 */
final class Sessions {
    private Sessions() {
    }

    /**
     * Whether the session of a task led by {@code leader} may still hold its processes. A
     * session id cannot be reused while any process is in it, so its members are the task's
     * own; only once the leader's pid belongs to a process that started later is the session
     * someone else's.
     */
    static boolean stillOurs(long sid, Optional<ProcessHandle> leader) {
        Optional<ProcessHandle> now = ProcessHandle.of(sid);
        return now.isEmpty() || leader.isEmpty() || now.get().equals(leader.get()); // equals compares start times
    }

    /**
     * Returns the live processes of the given sessions, from one pass over {@code /proc}.
     * Zombies are skipped: they are dead, only not yet reaped.
     */
    static Map<Long, List<ProcessHandle>> members(Set<Long> sessions) {
        Map<Long, List<ProcessHandle>> found = new HashMap<>();
        if (sessions.isEmpty()) {
            return found;
        }
        long me = ProcessHandle.current().pid();
        // one read of /proc/<pid>/stat per process; a handle (which reads it again) only for members
        String[] names = new File("/proc").list();
        for (String name : names == null ? new String[0] : names) {
            long pid = pidOf(name);
            if (pid <= 0 || pid == me) {
                continue;
            }
            Optional<ProcStat> stat = ProcStat.read(pid).filter(s -> !s.isZombie() && sessions.contains(s.sid()));
            if (stat.isEmpty()) {
                continue;
            }
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            // the same process still, not a pid reused since the read: the handle is then the member's
            boolean same = handle.isPresent() && ProcStat.read(pid)
                    .filter(s -> s.startTime() == stat.get().startTime() && s.sid() == stat.get().sid()).isPresent();
            if (same) {
                found.computeIfAbsent(stat.get().sid(), k -> new ArrayList<>()).add(handle.get());
            }
        }
        return found;
    }

    /** @return the pid a {@code /proc} entry is named after, or -1 */
    private static long pidOf(String name) {
        if (name.isEmpty() || name.length() > 18) {
            return -1;
        }
        long pid = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            pid = pid * 10 + (c - '0');
        }
        return pid;
    }

    /** Sends SIGTERM ({@code force} false) or SIGKILL to each process. */
    static void signal(List<ProcessHandle> processes, boolean force) {
        for (ProcessHandle p : processes) {
            if (force) {
                p.destroyForcibly();
            } else {
                p.destroy();
            }
        }
    }
}
