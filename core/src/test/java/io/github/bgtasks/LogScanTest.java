package io.github.bgtasks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading logs: tails and the warning and error digest, on edge cases of real files. */
class LogScanTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    private Path write(String name, String text) throws Exception {
        return write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void tailsAllKindsOfEndings() throws Exception {
        assertEquals(List.of(), LogScan.tail(write("empty", ""), 5));
        assertEquals(List.of("b", "c"), LogScan.tail(write("nl", "a\nb\nc\n"), 2));
        assertEquals(List.of("a", "b", "c"), LogScan.tail(write("nonl", "a\nb\nc"), 10));
        assertEquals(List.of("x", "y"), LogScan.tail(write("crlf", "w\r\nx\r\ny\r\n"), 2));
        assertEquals(List.of("", ""), LogScan.tail(write("blank", "a\n\n\n"), 2));
        assertEquals(List.of(), LogScan.tail(dir.resolve("missing"), 3));
    }

    @Test
    void tailsAcrossChunkBoundariesAndLongLines() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            b.append("line ").append(i).append('\n');
        }
        String longLine = "z".repeat(100_000);
        b.append(longLine);
        List<String> tail = LogScan.tail(write("big", b.toString()), 3);
        assertEquals(List.of("line 4998", "line 4999", longLine), tail);
    }

    @Test
    void countsWarningsAndErrorsOncePerLine() throws Exception {
        LogScan scan = new LogScan(Pattern.compile(BackgroundTasks.DEFAULT_WARNING), Pattern.compile(BackgroundTasks.DEFAULT_ERROR));
        byte[] bytes = ("[WARNING] a\r\nwarn b\nError and warning\nFATAL: x\npanic: y\n"
                + "Caused by: java.io.IOException: z\nerrors=0 warnings=0\nterror\n\u00ff\nlast ERROR").getBytes(StandardCharsets.ISO_8859_1);
        LogScan.Digest d = scan.scan(write("log", bytes));
        assertEquals(2, d.warnings());
        assertEquals(5, d.errors());
        assertEquals(List.of("Error and warning", "FATAL: x", "panic: y", "Caused by: java.io.IOException: z", "last ERROR"),
                d.firstErrors());
    }

    @Test
    void boundsMemoryOnAHugeLine() throws Exception {
        LogScan scan = new LogScan(Pattern.compile("warn"), Pattern.compile("error"));
        byte[] huge = ("x".repeat(10_000_000) + " error\nwarn\n").getBytes(StandardCharsets.US_ASCII);
        LogScan.Digest d = scan.scan(write("huge", huge));
        assertEquals(0, d.errors(), "only the first 64 KiB of a line are matched");
        assertEquals(1, d.warnings());
    }
}
