package io.github.bgtasks.health;

import io.github.bgtasks.internal.posix.ProcStat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * One reading of a process tree: the root and every descendant by parent id, with their
 * resident memory and CPU time. Read from {@code /proc} on Linux; where there is none (macOS,
 * the BSDs), from one run of {@code ps -A -o pid=,ppid=,rss=,time=,stat=}. A process that left
 * the tree (a daemon that double-forked) is not counted, nor is a zombie.
 */
record ProcessTree(int processes, long residentBytes, long cpuTicks) {
    /** Linux reports CPU time in clock ticks of 1/100 s on every common architecture; ps figures are converted to them. */
    static final long TICKS_PER_SECOND = 100;
    private static final Path PROC = Path.of("/proc");
    /** The columns asked of ps: POSIX names, which procps and BSD ps both know. */
    static final List<String> PS_COMMAND = List.of("ps", "-A", "-o", "pid=,ppid=,rss=,time=,stat=");

    /** One process as a source tells it; {@code rss} is -1 when it is read only for the tree's members. */
    record Row(long pid, long ppid, long rss, long cpuTicks, boolean zombie) {
    }

    /** @return true where {@code /proc} can be read; else {@link #readWithPs} is used */
    static boolean procAvailable() {
        return Files.isDirectory(PROC.resolve("self"));
    }

    /**
     * @param root the root's process id
     * @param timeout how long ps may take, where it is used
     * @return the tree under {@code root}, or empty if it is gone
     */
    static Optional<ProcessTree> read(long root, Duration timeout) throws IOException {
        return procAvailable() ? readProc(root) : readWithPs(root, timeout);
    }

    /**
     * How long one listing of {@code /proc} (who is whose parent) serves every resources check
     * of the JVM: listing the machine's processes is what a run costs (5 ms with 250 processes),
     * and 1,000 tasks checked every second would list it 1,000 times a second. The members'
     * figures are read afresh each run; a child forked within this window is counted one run
     * later.
     */
    static final long PARENTS_TTL_NANOS = 200_000_000L;
    private static volatile Parents parents;

    /** One listing of {@code /proc}: each process's parent, and when it was taken. */
    private record Parents(long takenNanos, List<Row> rows) {
    }

    /** @return the tree under {@code root} from {@code /proc}, or empty if it is gone */
    static Optional<ProcessTree> readProc(long root) throws IOException {
        Optional<ProcStat> rootStat = ProcStat.read(root);
        if (rootStat.isEmpty()) {
            return Optional.empty();
        }
        List<Row> rows = new ArrayList<>(parents().rows());
        ProcStat r = rootStat.get();
        rows.removeIf(x -> x.pid() == root); // the root as it is now, also if it is newer than the listing
        rows.add(new Row(r.pid(), r.ppid(), -1, r.cpuTicks(), r.isZombie()));
        // figures are read afresh only for the tree's members: two small files each
        return tree(root, rows, ProcessTree::fresh);
    }

    /** @return the process now, with its resident memory, or null if it is gone or no longer the same */
    private static Row fresh(Row listed) {
        Optional<ProcStat> now = ProcStat.read(listed.pid());
        if (now.isEmpty() || now.get().ppid() != listed.ppid()) {
            return null; // ended, or the pid was reused by another process since the listing
        }
        ProcStat s = now.get();
        return new Row(s.pid(), s.ppid(), s.isZombie() ? 0 : residentBytes(s.pid()), s.cpuTicks(), s.isZombie());
    }

    private static Parents parents() throws IOException {
        Parents p = parents;
        long now = System.nanoTime();
        if (p != null && now - p.takenNanos() < PARENTS_TTL_NANOS) {
            return p;
        }
        List<Row> rows = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, d -> isNumber(d.getFileName().toString()))) {
            for (Path d : dirs) {
                ProcStat.read(Long.parseLong(d.getFileName().toString())).ifPresent(s ->
                        rows.add(new Row(s.pid(), s.ppid(), -1, s.cpuTicks(), s.isZombie())));
            }
        }
        p = new Parents(now, List.copyOf(rows));
        parents = p; // a race makes two listings, never a wrong one
        return p;
    }

    /** @return the tree under {@code root} from one run of ps, or empty if it is gone */
    static Optional<ProcessTree> readWithPs(long root, Duration timeout) throws IOException {
        Process ps = new ProcessBuilder(PS_COMMAND).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out;
        try (InputStream in = ps.getInputStream()) {
            ps.getOutputStream().close();
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!ps.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IOException("ps took longer than " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading ps", e);
        } finally {
            ps.destroyForcibly();
        }
        if (ps.exitValue() != 0) {
            throw new IOException(String.join(" ", PS_COMMAND) + " exited with " + ps.exitValue());
        }
        return tree(root, parsePs(out), row -> row);
    }

    /**
     * Parses the output of {@link #PS_COMMAND}: pid, ppid, resident memory in KiB, CPU time as
     * {@code [[dd-]hh:]mm:ss[.cc]} (procps prints {@code 00:01:02}, BSD {@code 1:02.03}), state.
     * Lines that do not parse are skipped.
     */
    static List<Row> parsePs(String output) {
        List<Row> rows = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 5) {
                continue;
            }
            try {
                rows.add(new Row(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]) * 1024,
                        cpuTicks(f[3]), f[4].startsWith("Z")));
            } catch (NumberFormatException e) {
                // a header, or a column this ps fills differently: not a process we can count
            }
        }
        return rows;
    }

    /** {@code [[dd-]hh:]mm:ss[.cc]} in ticks of 1/100 s. */
    static long cpuTicks(String time) {
        long days = 0;
        String t = time;
        int dash = t.indexOf('-');
        if (dash >= 0) {
            days = Long.parseLong(t.substring(0, dash));
            t = t.substring(dash + 1);
        }
        String[] parts = t.split(":");
        double seconds = Double.parseDouble(parts[parts.length - 1]);
        long whole = 0;
        for (int i = 0; i < parts.length - 1; i++) {
            whole = whole * 60 + Long.parseLong(parts[i]);
        }
        return Math.round(((days * 24 * 60 * 60 + (parts.length > 1 ? whole * 60 : 0)) * 100) + seconds * 100);
    }

    /**
     * Adds up the live members of the tree under {@code root}; empty if the root is not among the
     * rows. {@code current} gives a member's figures (with its memory) as they are now, or null if
     * it is gone.
     */
    static Optional<ProcessTree> tree(long root, List<Row> rows, UnaryOperator<Row> current) {
        Map<Long, List<Row>> children = new HashMap<>();
        Row rootRow = null;
        for (Row r : rows) {
            if (r.pid() == root) {
                rootRow = r;
            } else {
                children.computeIfAbsent(r.ppid(), k -> new ArrayList<>()).add(r);
            }
        }
        if (rootRow == null) {
            return Optional.empty();
        }
        int count = 0;
        long bytes = 0;
        long cpu = 0;
        Deque<Row> todo = new ArrayDeque<>(List.of(rootRow));
        while (!todo.isEmpty() && count < 100_000) {
            Row listed = todo.pop();
            Row r = current.apply(listed);
            if (r == null) {
                if (listed.pid() == root) {
                    return Optional.empty();
                }
                continue;
            }
            if (r.zombie()) {
                continue; // its children, if any, were given to another parent when it exited
            }
            count++;
            bytes += r.rss();
            cpu += r.cpuTicks();
            todo.addAll(children.getOrDefault(r.pid(), List.of()));
        }
        return Optional.of(new ProcessTree(count, bytes, cpu));
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
