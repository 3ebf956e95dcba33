package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every byte of stdout and stderr lands in the log, in order, compared with
 * {@code Files.readAllBytes}. Catalogue: 7 (one task, interleaved streams), 48, 49, 6 (small).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OutputBytesTest extends RealProcessTest {
    private BackgroundTasks tasks;

    @BeforeEach
    void instance() {
        tasks = newTasks();
    }

    private byte[] run(TaskSpec spec) {
        TaskHandle h = tasks.start(spec);
        TaskResult r = h.onExit().join();
        assertEquals(TaskState.SUCCEEDED, r.state(), r + " " + h.tail(5));
        return bytes(h.logFile());
    }

    @Test
    void interleavesStdoutAndStderrInTheOrderWritten() {
        byte[] log = run(TaskSpec.shell("printf 'out1\\n'; printf 'err1\\n' >&2; printf 'out2\\n'; printf 'err2' >&2; "
                + "printf 'out3'; printf '\\n' >&2").build());
        assertBytes("out1\nerr1\nout2\nerr2out3\n".getBytes(StandardCharsets.US_ASCII), log);
    }

    @Test
    void interleavesThousandsOfNumberedLinesFromBothStreams() {
        byte[] log = run(TaskSpec.shell("i=0; while [ $i -lt 3000 ]; do echo o$i; echo e$i >&2; i=$((i+1)); done").build());
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            expected.append('o').append(i).append('\n').append('e').append(i).append('\n');
        }
        assertBytes(expected.toString().getBytes(StandardCharsets.US_ASCII), log);
    }

    @Test
    void keepsBytesThatAreNotUtf8() {
        byte[] log = run(TaskSpec.shell("printf '\\210\\377a\\000b\\300\\n' ; printf '\\376' >&2").build());
        assertBytes(new byte[] {(byte) 0x88, (byte) 0xff, 'a', 0, 'b', (byte) 0xc0, '\n', (byte) 0xfe}, log);
    }

    @Test
    void keepsOutputWithoutATrailingNewline() {
        TaskHandle h = tasks.start(TaskSpec.builder("printf", "no newline at the end").build());
        h.onExit().join();
        assertBytes("no newline at the end".getBytes(StandardCharsets.US_ASCII), bytes(h.logFile()));
        assertEquals(List.of("no newline at the end"), h.tail(1));
    }

    @Test
    void keepsCarriageReturnProgressOutput() {
        byte[] log = run(TaskSpec.builder("printf", "10%%\\r55%%\\r100%%\\rdone\\r\\n").build());
        assertBytes("10%\r55%\r100%\rdone\r\n".getBytes(StandardCharsets.US_ASCII), log);
    }

    /** More than a pipe's 64 KiB with nobody reading: random binary data, byte for byte. */
    @Test
    void keepsMegabytesOfBinaryOutputThatNobodyReads() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(data);
        Path source = Files.write(dir.resolve("random.bin"), data);
        byte[] log = run(TaskSpec.builder("cat", source.toString()).build());
        assertBytes(data, log);
    }

    /** A single 10 MB line, written to both streams in turns of 1 MB. */
    @Test
    void keepsATenMegabyteLine() {
        byte[] log = run(TaskSpec.shell("for s in 1 2 3 4 5 6 7 8 9 10; do "
                + "if [ $((s % 2)) = 0 ]; then head -c 1000000 /dev/zero | tr '\\0' e >&2; "
                + "else head -c 1000000 /dev/zero | tr '\\0' o; fi; done").build());
        assertEquals(10_000_000, log.length);
        for (int s = 0; s < 10; s++) {
            byte expected = (byte) (s % 2 == 0 ? 'o' : 'e');
            for (int i = s * 1_000_000; i < (s + 1) * 1_000_000; i++) {
                if (log[i] != expected) {
                    throw new AssertionError("byte " + i + " is " + log[i] + ", expected " + expected);
                }
            }
        }
    }

    /** Output written in the moment before a kill is in the log, and nothing written after it. */
    @Test
    void keepsWhatWasWrittenBeforeAKill() {
        String m = marker();
        TaskHandle h = tasks.start(TaskSpec.shell("printf 'before-kill'; printf '\\201' >&2; exec sleep " + m).build());
        awaitRunning(m, 1);
        within(java.time.Duration.ofMinutes(1)).until(() -> bytes(h.logFile()).length == 12);
        TaskResult r = h.kill().join();
        assertEquals(9, r.signal().orElse(-1), r.toString());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes("before-kill".getBytes(StandardCharsets.US_ASCII));
        expected.write(0x81);
        assertTrue(Arrays.equals(expected.toByteArray(), bytes(h.logFile())));
    }
}
