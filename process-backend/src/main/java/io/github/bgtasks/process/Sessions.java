package io.github.bgtasks.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Ends what is left of tasks whose helper died: each task's pid is its session id and process
 * group id, so its processes are found by one pass over {@code /proc}, without the helper.
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
        ProcessHandle.allProcesses().forEach(p -> {
            long sid = sessionOf(p.pid());
            if (sid > 0 && sessions.contains(sid) && p.pid() != ProcessHandle.current().pid()) {
                found.computeIfAbsent(sid, k -> new ArrayList<>()).add(p);
            }
        });
        return found;
    }

    /** @return the session id of a live process, or -1 if it is gone or a zombie */
    private static long sessionOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            // "pid (comm) S ppid pgrp session ...": comm may hold spaces and parentheses
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 5);
            return f[0].equals("Z") || f[0].equals("X") ? -1 : Long.parseLong(f[3]);
        } catch (IOException | RuntimeException e) {
            return -1; // ended while being read
        }
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
