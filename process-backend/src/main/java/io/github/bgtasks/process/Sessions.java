package io.github.bgtasks.process;

import io.github.bgtasks.internal.posix.ProcStat;
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
        ProcessHandle.allProcesses().forEach(p -> {
            if (p.pid() != me) {
                ProcStat.read(p.pid()).filter(s -> !s.isZombie() && sessions.contains(s.sid()))
                        .ifPresent(s -> found.computeIfAbsent(s.sid(), k -> new ArrayList<>()).add(p));
            }
        });
        return found;
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
