package io.github.bgtasks.process;

import io.github.bgtasks.internal.posix.ProcStat;
import java.io.File;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
        if (sessions.isEmpty()) {
            return new HashMap<>();
        }
        Map<Long, List<ProcessHandle>> found = new HashMap<>();
        for (ProcStat s : scan()) {
            if (sessions.contains(s.sid())) {
                handle(s).ifPresent(h -> found.computeIfAbsent(s.sid(), k -> new ArrayList<>()).add(h));
            }
        }
        return found;
    }

    /**
     * Returns the live members of session {@code sid} and the live descendants of process
     * {@code root}, from one pass over {@code /proc} (where {@link ProcessHandle#descendants()}
     * and {@link #members} would take one each).
     */
    static List<ProcessHandle> membersAndDescendants(long sid, long root) {
        List<ProcStat> all = scan();
        Map<Long, List<ProcStat>> children = new HashMap<>();
        for (ProcStat s : all) {
            children.computeIfAbsent(s.ppid(), k -> new ArrayList<>()).add(s);
        }
        Map<Long, ProcStat> found = new LinkedHashMap<>();
        for (ProcStat s : all) {
            if (s.sid() == sid) {
                found.put(s.pid(), s);
            }
        }
        // a snapshot's parent links are consistent: a process whose parent exits is re-parented at once
        ArrayDeque<Long> parents = new ArrayDeque<>(List.of(root));
        while (!parents.isEmpty()) {
            for (ProcStat c : children.getOrDefault(parents.poll(), List.of())) {
                found.putIfAbsent(c.pid(), c);
                parents.add(c.pid()); // parent links form a tree: no process comes twice
            }
        }
        List<ProcessHandle> handles = new ArrayList<>();
        for (ProcStat s : found.values()) {
            handle(s).ifPresent(handles::add);
        }
        return handles;
    }

    /** @return the stat of every live process but the JVM, one read of each {@code /proc/<pid>/stat} */
    private static List<ProcStat> scan() {
        long me = ProcessHandle.current().pid();
        String[] names = new File("/proc").list();
        List<ProcStat> all = new ArrayList<>(names == null ? 0 : names.length);
        for (String name : names == null ? new String[0] : names) {
            long pid = pidOf(name);
            if (pid > 0 && pid != me) {
                ProcStat.read(pid).filter(s -> !s.isZombie()).ifPresent(all::add);
            }
        }
        return all;
    }

    /**
     * @return a start-time checked handle of the process {@code s} was read from, or empty if
     *     it has ended (its pid may already be another process's: that one is never returned)
     */
    private static Optional<ProcessHandle> handle(ProcStat s) {
        Optional<ProcessHandle> h = ProcessHandle.of(s.pid());
        // read after the handle: the same start time means the handle is that process, not a reused pid
        boolean same = h.isPresent() && ProcStat.read(s.pid())
                .filter(now -> now.startTime() == s.startTime() && now.sid() == s.sid()).isPresent();
        return same ? h : Optional.empty();
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
