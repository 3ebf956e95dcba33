package io.github.bgtasks.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The {@code ps} fallback of the resources check (issue 9), on this machine's real {@code ps}:
 * its output parses, and it tells the same tree as {@code /proc}, which stays the default.
 */
class ProcessTreeTest {
    static final Duration PATIENCE = Duration.ofMinutes(1);

    @Test
    void theRealPsOutputOfThisMachineParsesAndShowsThisJvm() throws Exception {
        Process ps = new ProcessBuilder(ProcessTree.PS_COMMAND).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(ps.getInputStream().readAllBytes());
        assertEquals(0, ps.waitFor());
        List<ProcessTree.Row> rows = ProcessTree.parsePs(out);
        long lines = out.lines().filter(l -> !l.isBlank()).count();
        assertEquals(lines, rows.size(), "every line of ps parses:\n" + out);
        ProcessHandle me = ProcessHandle.current();
        ProcessTree.Row row = rows.stream().filter(r -> r.pid() == me.pid()).findFirst().orElseThrow();
        assertEquals(me.parent().orElseThrow().pid(), row.ppid());
        assertTrue(row.rss() > 1024 * 1024, "a JVM has more than 1 MiB resident: " + row);
        assertTrue(row.cpuTicks() >= 0 && !row.zombie(), row.toString());
    }

    @Test
    void psAndProcTellTheSameTree() throws Exception {
        String marker = "marker-" + UUID.randomUUID();
        // A shell with two children, all blocked: the tree has three processes.
        Process sh = new ProcessBuilder("sh", "-c", "sleep 1000 & sleep 1000; wait", marker).start();
        try {
            Awaitility.await().atMost(PATIENCE).until(() -> ProcessTree.readProc(sh.pid()).orElseThrow().processes() == 3);
            ProcessTree proc = ProcessTree.readProc(sh.pid()).orElseThrow();
            ProcessTree ps = ProcessTree.readWithPs(sh.pid(), PATIENCE).orElseThrow();
            assertEquals(3, ps.processes());
            assertTrue(ps.residentBytes() > 0 && ps.residentBytes() < 2 * proc.residentBytes()
                    && proc.residentBytes() < 2 * ps.residentBytes(), "ps " + ps + " and /proc " + proc);
            assertTrue(ProcessTree.procAvailable(), "on Linux /proc stays the source");
        } finally {
            sh.descendants().forEach(ProcessHandle::destroyForcibly);
            sh.destroyForcibly();
        }
        Awaitility.await().atMost(PATIENCE).until(() -> {
            try {
                return ProcessTree.readWithPs(sh.pid(), PATIENCE).isEmpty();
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Test
    void theCpuTimeFormatsOfProcpsAndBsdPsParse() {
        assertEquals(6200, ProcessTree.cpuTicks("00:01:02"));
        assertEquals(6203, ProcessTree.cpuTicks("1:02.03"));
        assertEquals(100L * (86400 + 3600 + 60 + 1), ProcessTree.cpuTicks("1-01:01:01"));
        List<ProcessTree.Row> rows = ProcessTree.parsePs("  PID  PPID   RSS      TIME STAT\n"
                + "    1     0  1234   1:02.03 Ss\n   77     1     0   0:00.00 Z\n");
        assertEquals(List.of(new ProcessTree.Row(1, 0, 1234 * 1024, 6203, false), new ProcessTree.Row(77, 1, 0, 0, true)), rows);
        assertEquals(1, ProcessTree.tree(1, rows, r -> r).orElseThrow().processes(), "a zombie does not count");
    }
}
