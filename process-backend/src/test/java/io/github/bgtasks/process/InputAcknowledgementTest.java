package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The helper's side of bounded input (issue 6, "input ... buffered without bound"): every byte
 * of a task's input that leaves the helper's queue is acknowledged with {@code i <id> <n>}, so
 * that the JVM can bound what it sent and saw no acknowledgement for. Checked at protocol level
 * with {@link HelperDriver}; the end-to-end bound on {@code send()} belongs to the Java side.
 *
 * <p>Perl helper only (its protocol).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InputAcknowledgementTest extends RealProcessTest {
    private static final int CHUNK = 32 * 1024;

    /** Input to a task that never reads stays queued (unacknowledged) until the task ends, then is dropped and acknowledged. */
    @Test
    void inputToATaskThatNeverReadsIsAcknowledgedOnlyAsItLeavesTheQueue() throws Exception {
        String m = marker();
        try (HelperDriver helper = new HelperDriver()) {
            helper.start("t1", 300, dir, log("t1"), "sleep", m);
            int chunks = 16; // 512 KiB: far more than a pipe holds
            for (int i = 0; i < chunks; i++) {
                helper.send("I t1 " + HelperDriver.hex(new byte[CHUNK]));
            }
            // What went into the pipe was acknowledged; the rest waits in the queue, which a pipe
            // (64 KiB here) cannot take in full.
            within(Duration.ofSeconds(10)).until(() -> helper.acknowledged("t1") > 0);
            long written = helper.acknowledged("t1");
            assertTrue(written < (long) chunks * CHUNK, "only what the pipe holds left the queue: " + written);

            helper.send("K t1 KILL");
            helper.awaitReply(l -> l.equals("x t1 k 9"));

            within(Duration.ofSeconds(10)).until(() -> helper.acknowledged("t1") == (long) chunks * CHUNK);
            assertEveryAckPositive(helper.replies());
        }
    }

    /** A task that reads everything gets every byte, each acknowledged once. */
    @Test
    void inputReadByTheTaskIsAcknowledgedInFull() throws Exception {
        try (HelperDriver helper = new HelperDriver()) {
            Path out = dir.resolve("copy");
            helper.start("t1", 300, dir, log("t1"), "sh", "-c", "cat > \"$0\"", out.toString());
            int chunks = 40;
            for (int i = 0; i < chunks; i++) {
                helper.send("I t1 " + HelperDriver.hex(new byte[CHUNK]));
            }
            helper.send("C t1");
            helper.awaitReply(l -> l.equals("x t1 e 0"));
            within(Duration.ofSeconds(10)).until(() -> helper.acknowledged("t1") == (long) chunks * CHUNK);
            assertEquals((long) chunks * CHUNK, Files.size(out));
            assertEveryAckPositive(helper.replies());
        }
    }

    /** Input that reaches the helper after the task ended is dropped at once, and acknowledged. */
    @Test
    void inputToAnEndedTaskIsDroppedAndAcknowledged() throws Exception {
        try (HelperDriver helper = new HelperDriver()) {
            helper.start("t1", 300, dir, log("t1"), "true");
            helper.awaitReply(l -> l.equals("x t1 e 0"));
            helper.send("I t1 " + HelperDriver.hex(new byte[1000]));
            within(Duration.ofSeconds(10)).until(() -> helper.acknowledged("t1") == 1000);
        }
    }

    /** Input to a task that closed its stdin is dropped, and acknowledged. */
    @Test
    void inputToATaskThatClosedItsStdinIsDroppedAndAcknowledged() throws Exception {
        String m = marker();
        try (HelperDriver helper = new HelperDriver()) {
            helper.start("t1", 300, dir, log("t1"), "sh", "-c", "exec sleep \"$0\" <&-", m);
            awaitRunning(m, 1);
            int chunks = 4;
            for (int i = 0; i < chunks; i++) {
                helper.send("I t1 " + HelperDriver.hex(new byte[CHUNK]));
            }
            within(Duration.ofSeconds(10)).until(() -> helper.acknowledged("t1") == (long) chunks * CHUNK);
            helper.send("K t1 KILL");
            helper.awaitReply(l -> l.equals("x t1 k 9"));
        }
    }

    private Path log(String id) throws Exception {
        return Files.createFile(dir.resolve(id + ".log"));
    }

    private static void assertEveryAckPositive(List<String> replies) {
        for (String r : replies) {
            if (r.startsWith("i ")) {
                assertTrue(Long.parseLong(r.split(" ")[2]) > 0, "an acknowledgement of nothing: " + r);
            }
        }
    }
}
