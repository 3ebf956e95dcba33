package io.github.bgtasks.health;

import io.github.bgtasks.internal.posix.ProcStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One reading of a process tree from {@code /proc} (Linux): the root and every descendant by
 * parent id, with their resident memory and CPU time. A process that left the tree (a daemon
 * that double-forked) is not counted.
 */
record ProcessTree(int processes, long residentBytes, long cpuTicks) {
    /** Linux reports CPU time in clock ticks of 1/100 s on every common architecture. */
    static final long TICKS_PER_SECOND = 100;
    private static final Path PROC = Path.of("/proc");

    static boolean available() {
        return Files.isDirectory(PROC.resolve("self"));
    }

    /** @return the tree under {@code root}, or empty if it is gone */
    static Optional<ProcessTree> read(long root) throws IOException {
        Optional<ProcStat> rootStat = ProcStat.read(root);
        if (rootStat.isEmpty()) {
            return Optional.empty();
        }
        Map<Long, List<ProcStat>> children = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, p -> isNumber(p.getFileName().toString()))) {
            for (Path d : dirs) {
                ProcStat.read(Long.parseLong(d.getFileName().toString()))
                        .ifPresent(s -> children.computeIfAbsent(s.ppid(), k -> new ArrayList<>()).add(s));
            }
        }
        int count = 0;
        long rss = 0;
        long cpu = 0;
        Deque<ProcStat> todo = new ArrayDeque<>(List.of(rootStat.get()));
        while (!todo.isEmpty() && count < 100_000) {
            ProcStat s = todo.pop();
            if (s.isZombie()) {
                continue;
            }
            count++;
            rss += residentBytes(s.pid());
            cpu += s.cpuTicks();
            todo.addAll(children.getOrDefault(s.pid(), List.of()));
        }
        return Optional.of(new ProcessTree(count, rss, cpu));
    }

    private static boolean isNumber(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    /** VmRSS of {@code /proc/<pid>/status}, in bytes; 0 if gone or a kernel thread. */
    private static long residentBytes(long pid) {
        try {
            for (String line : Files.readAllLines(PROC.resolve(Long.toString(pid)).resolve("status"), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("VmRSS:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone meanwhile
        }
        return 0;
    }
}
