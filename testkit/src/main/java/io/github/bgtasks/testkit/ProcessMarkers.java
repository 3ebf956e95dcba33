package io.github.bgtasks.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Finds a test's processes in the whole process table by a unique marker argument: the probe
 * for leaks. Give every process a test starts a {@link #marker()} as an argument (it is a valid
 * {@code sleep} duration of about an hour, e.g. {@code sleep <marker>} or
 * {@code sh -c '...' <marker>}), and look it up among all processes, never through
 * {@code ProcessHandle.descendants()}, which loses orphans at the moment they become leaks.
 * Other builds may run beside a test on the same machine: markers keep a test from counting or
 * killing processes it did not start.
 *
 * <p>Reads {@code /proc} (Linux). This class is thread-safe.
 */
public final class ProcessMarkers {
    private static final AtomicLong COUNTER = new AtomicLong(ThreadLocalRandom.current().nextLong(1_000_000_000L));

    private ProcessMarkers() {
    }

    /**
     * One process as {@code /proc/<pid>/stat} and {@code cmdline} show it.
     *
     * @param pid the process id
     * @param state the state letter, such as {@code S}, {@code R} or {@code Z} (zombie)
     * @param ppid the parent's process id
     * @param pgid the process group id
     * @param sid the session id
     * @param argv the command line
     */
    public record Proc(long pid, char state, long ppid, long pgid, long sid, List<String> argv) {
        /** Copies {@code argv}. */
        public Proc {
            argv = List.copyOf(argv);
        }

        /** @return whether the process has ended and waits for its parent to reap it */
        public boolean zombie() {
            return state == 'Z';
        }

        @Override
        public String toString() {
            return "pid " + pid + " " + state + " ppid " + ppid + " pgid " + pgid + " sid " + sid + " " + argv;
        }
    }

    /**
     * Returns a marker no other process on the machine has: a valid {@code sleep} argument of
     * about an hour, such as {@code 3600.000123456789}, unique within this JVM and unlikely in
     * any other.
     *
     * @return a new marker
     */
    public static String marker() {
        return String.format("3600.%06d%09d", ProcessHandle.current().pid() % 1_000_000,
                COUNTER.incrementAndGet() % 1_000_000_000L);
    }

    /**
     * @param pid a process id
     * @return the process, or empty if it does not exist (any more)
     */
    public static Optional<Proc> read(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            byte[] cmd = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            // "pid (comm) S ppid pgrp session ..."; comm may hold spaces and parentheses
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            List<String> argv = cmd.length == 0 ? List.of()
                    : Arrays.asList(new String(cmd, 0, cmd[cmd.length - 1] == 0 ? cmd.length - 1 : cmd.length,
                            StandardCharsets.UTF_8).split("\0", -1));
            return Optional.of(new Proc(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[2]),
                    Long.parseLong(f[3]), argv));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone, or vanished while being read (ESRCH)
        }
    }

    /** @return every process on the machine that could be read */
    public static List<Proc> all() {
        return ProcessHandle.allProcesses().map(h -> read(h.pid())).flatMap(Optional::stream).toList();
    }

    /**
     * @param markers the markers to look for
     * @return the live (non-zombie) processes that have any of the markers as an argument
     */
    public static List<Proc> withAnyArgument(String... markers) {
        List<String> wanted = List.of(markers);
        return all().stream().filter(p -> !p.zombie() && p.argv().stream().anyMatch(wanted::contains)).toList();
    }

    /**
     * Waits until, for each marker, a live process with it runs.
     *
     * @param patience how long to wait before the test is taken to hang (not a speed requirement)
     * @param markers the markers
     * @throws AssertionError if that does not happen within {@code patience}
     */
    public static void awaitRunning(Duration patience, String... markers) {
        Objects.requireNonNull(patience, "patience");
        Waits.until(patience, "processes with each of " + Arrays.toString(markers),
                () -> Arrays.stream(markers).allMatch(m -> !withAnyArgument(m).isEmpty()),
                () -> describe(withAnyArgument(markers)));
    }

    /**
     * Waits until no live process with any of the markers is left (group, session and orphans alike).
     *
     * @param patience how long to wait before the test is taken to hang (not a speed requirement)
     * @param markers the markers
     * @throws AssertionError if some are left after {@code patience}; its message lists them
     */
    public static void awaitGone(Duration patience, String... markers) {
        Objects.requireNonNull(patience, "patience");
        Waits.until(patience, "no process with any of " + Arrays.toString(markers),
                () -> withAnyArgument(markers).isEmpty(), () -> describe(withAnyArgument(markers)));
    }

    /**
     * SIGKILLs the live processes with any of the markers: cleanup for a finally block. Only
     * marked processes are touched, so nothing of another build on the machine is.
     *
     * @param markers the markers
     * @return the processes that were signalled
     */
    public static List<Proc> killAll(String... markers) {
        List<Proc> found = withAnyArgument(markers);
        for (Proc p : found) {
            ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
        return found;
    }

    /**
     * @param procs processes
     * @return a readable listing, one per line, for failure messages
     */
    public static String describe(List<Proc> procs) {
        return procs.isEmpty() ? "none" : procs.stream().map(Proc::toString).collect(Collectors.joining("\n  ", "\n  ", ""));
    }
}
