package io.github.bgtasks.tmux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.spi.Launch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a later JVM reads from a task's record: whether its start was accepted, and its wrapper. */
class TaskRecordsTest {
    @TempDir
    Path tmp;

    private TaskRecords records() {
        return new TaskRecords(tmp, "tmux -L x", "owner-1");
    }

    private Launch launch() {
        return Launch.builder("r.1", "r", List.of("true")).workingDirectory(tmp).logFile(tmp.resolve("r.1.log"))
                .startedAt(Instant.now()).build();
    }

    @Test
    void aStartIsAcceptedOnlyOnceItsAcceptedLineIsComplete() throws Exception {
        TaskRecords r = records();
        Path dir = r.createDirectory("r.1");
        r.write(dir, launch(), 0, 0);
        assertFalse(r.read(dir).accepted(), "written before the tmux call: not accepted");
        // A JVM that died in the middle of writing it gave no go either.
        Files.writeString(dir.resolve("accepted"), "4242 17");
        assertFalse(r.read(dir).accepted());
        Files.delete(dir.resolve("accepted"));
        TaskRecords.accept(dir, 4242, 1_700_000_000_123L);
        TaskRecords.Record read = r.read(dir);
        assertTrue(read.accepted());
        assertEquals(4242, read.pid());
        assertEquals(1_700_000_000_123L, read.pidStartMillis());
        assertEquals("r.1", read.launch().id());
    }

    @Test
    void aRecordWithAPidIsAcceptedAsItIs() throws Exception {
        // Rewritten by an instance that took the task over, or written by an earlier version.
        TaskRecords r = records();
        Path dir = r.createDirectory("r.1");
        r.write(dir, launch(), 777, 1_700_000_000_456L);
        TaskRecords.Record read = r.read(dir);
        assertTrue(read.accepted());
        assertEquals(777, read.pid());
        assertEquals(1_700_000_000_456L, read.pidStartMillis());
    }
}
