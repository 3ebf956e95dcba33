package io.github.bgtasks.process;

import io.github.bgtasks.testkit.ProcessMarkers;
import io.github.bgtasks.testkit.ProcessMarkers.Proc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The whole process table, read from {@code /proc}: the probe for leaks. Tests mark their
 * processes with unique arguments ({@link #marker()}) and look them up among all processes,
 * never through {@code descendants()}, which loses orphans at the moment they become leaks.
 * Reading and matching is {@link ProcessMarkers}'; this adds the queries only these tests need.
 */
final class Procs {
    private Procs() {
    }

    /** @see ProcessMarkers#marker() */
    static String marker() {
        return ProcessMarkers.marker();
    }

    /** @return the process, or empty if it does not exist (any more) */
    static Optional<Proc> read(long pid) {
        return ProcessMarkers.read(pid);
    }

    /** @return every process on the machine */
    static List<Proc> all() {
        return ProcessMarkers.all();
    }

    /** @return the live (non-zombie) processes with {@code marker} as one of their arguments */
    static List<Proc> withArg(String marker) {
        return ProcessMarkers.withAnyArgument(marker);
    }

    /** @return the live processes carrying any of the markers */
    static List<Proc> withAnyArg(List<String> markers) {
        return ProcessMarkers.withAnyArgument(markers.toArray(String[]::new));
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
        return ProcessMarkers.describe(procs);
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
