package io.github.bgtasks.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The whole process table, read from {@code /proc}: the probe for leaks. Tests mark their
 * processes with unique arguments ({@link #marker()}) and look them up among all processes,
 * never through {@code descendants()}, which loses orphans at the moment they become leaks.
 */
final class Procs {
    private static final AtomicLong COUNTER = new AtomicLong(ThreadLocalRandom.current().nextLong(1_000_000_000L));

    private Procs() {
    }

    /** One process as {@code /proc/<pid>/stat} and {@code cmdline} show it. */
    record Proc(long pid, char state, long ppid, long pgid, long sid, List<String> argv) {
        boolean zombie() {
            return state == 'Z';
        }

        @Override
        public String toString() {
            return "pid " + pid + " " + state + " ppid " + ppid + " pgid " + pgid + " sid " + sid + " " + argv;
        }
    }

    /**
     * Returns a marker no other process on the machine has: a valid {@code sleep} argument of
     * about an hour, such as {@code 3600.000123456789}, unique within this JVM and unlikely
     * in any other.
     */
    static String marker() {
        return String.format("3600.%06d%09d", ProcessHandle.current().pid() % 1_000_000,
                COUNTER.incrementAndGet() % 1_000_000_000L);
    }

    /** @return the process, or empty if it does not exist (any more) */
    static Optional<Proc> read(long pid) {
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
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // vanished while being read (ESRCH)
        }
    }

    /** @return every process on the machine */
    static List<Proc> all() {
        return ProcessHandle.allProcesses().map(h -> read(h.pid())).flatMap(Optional::stream).toList();
    }

    /** @return the live (non-zombie) processes with {@code marker} as one of their arguments */
    static List<Proc> withArg(String marker) {
        return all().stream().filter(p -> !p.zombie() && p.argv().contains(marker)).toList();
    }

    /** @return the live processes carrying any of the markers */
    static List<Proc> withAnyArg(List<String> markers) {
        return all().stream().filter(p -> !p.zombie() && p.argv().stream().anyMatch(markers::contains)).toList();
    }

    /** @return the live processes of a session (what a session sweep must leave empty) */
    static List<Proc> inSession(long sid) {
        return all().stream().filter(p -> !p.zombie() && p.sid() == sid).toList();
    }

    /** @return the zombies whose parent is one of {@code parents} */
    static List<Proc> zombiesOf(long... parents) {
        return all().stream().filter(p -> p.zombie() && Arrays.stream(parents).anyMatch(pp -> pp == p.ppid())).toList();
    }

    /** @return whether the process exists and is not a zombie */
    static boolean alive(long pid) {
        return read(pid).filter(p -> !p.zombie()).isPresent();
    }

    /** @return the parent of a process: for a task's own process, the backend's helper */
    static long parentOf(long pid) {
        return read(pid).orElseThrow(() -> new AssertionError("no process " + pid)).ppid();
    }

    /** Sends a signal with the {@code kill} utility, e.g. {@code signal(pid, "STOP")}. */
    static void signal(long pid, String signal) {
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("kill -" + signal + " " + pid + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** SIGKILLs exactly these processes (cleanup); ignores those already gone. */
    static void killAll(List<Proc> procs) {
        for (Proc p : procs) {
            ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** @return a readable listing, for failure messages */
    static String describe(List<Proc> procs) {
        return procs.isEmpty() ? "none" : procs.stream().map(Proc::toString).collect(Collectors.joining("\n  ", "\n  ", ""));
    }

    /** @return the processes whose command line starts with the helper's name for this JVM */
    static List<Proc> helpersOfThisJvm() {
        String name = "bgtasks-spawner (java pid " + ProcessHandle.current().pid() + ")";
        List<Proc> found = new ArrayList<>();
        for (Proc p : all()) {
            if (!p.zombie() && !p.argv().isEmpty() && p.argv().get(0).equals(name)) {
                found.add(p);
            }
        }
        return found;
    }
}
