package io.github.bgtasks.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** What the harness needs to know about processes: leftovers, and its own memory. */
final class Processes {
    private Processes() {
    }

    /**
     * Finds live {@code sleep} processes that have {@code argument} among their arguments. Each
     * benchmark gives its tasks a unique one (such as {@code sleep 30.777123}), so whatever this
     * finds afterwards was left behind by that benchmark. Only {@code sleep} itself counts: the
     * probe JVM (and a tmux server forked from a client) carry the marker in their own command
     * lines.
     */
    static List<ProcessHandle> sleepsWith(String marker) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/sleep")).orElse(false))
                .filter(p -> p.info().arguments().map(a -> Arrays.asList(a).contains(marker)).orElse(false))
                .toList();
    }

    /**
     * Waits until no {@code sleep} carries {@code marker}, then kills (SIGKILL) what is still
     * there so that one benchmark's leftovers cannot skew the next.
     *
     * @return how many processes were still alive after {@code patience}
     */
    static int killLeftoverSleeps(String marker, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        List<ProcessHandle> left = sleepsWith(marker);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = sleepsWith(marker);
        }
        left.forEach(ProcessHandle::destroyForcibly);
        return left.size();
    }

    /** @return this JVM's resident set size in bytes, from {@code /proc/self/status} */
    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
            throw new IllegalStateException("no VmRSS in /proc/self/status");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return heap in use after a full collection, so that garbage does not count */
    static long heapUsedAfterGc() {
        System.gc();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heap.getUsed();
    }

    static String mib(long bytes) {
        return Table.num(bytes / (1024.0 * 1024.0)) + " MiB";
    }
}
