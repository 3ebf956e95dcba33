package io.github.bgtasks.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.TaskState;
import io.github.bgtasks.health.Health;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Snapshots of the board: every state, both symbol sets, and what the live printer writes. */
class StatusBoardTest {
    private static final String CSI = "\u001b[";

    static Row row(String name, TaskState s, Integer exit, Integer signal, Duration runtime, Health.State h, String last) {
        return new Row(name + ".1", name, s, exit == null ? OptionalInt.empty() : OptionalInt.of(exit),
                signal == null ? OptionalInt.empty() : OptionalInt.of(signal), runtime, h, last);
    }

    /** One task in each of the nine states. */
    static final List<Row> EVERY_STATE = List.of(
            row("docs-queued", TaskState.QUEUED, null, null, null, Health.State.UNKNOWN, ""),
            row("docs", TaskState.RUNNING, null, null, Duration.ofSeconds(41), Health.State.HEALTHY, "page 3 of 7"),
            row("server", TaskState.STOPPING, null, null, Duration.ofSeconds(3725), Health.State.UNHEALTHY, "bye"),
            row("node18-tests", TaskState.SUCCEEDED, 0, null, Duration.ofSeconds(62), Health.State.UNKNOWN, "ok 12"),
            row("lint", TaskState.FAILED, 2, null, Duration.ofSeconds(3), Health.State.UNKNOWN, "a.js:3 error"),
            row("crash", TaskState.FAILED, null, 9, Duration.ofMillis(999), Health.State.UNKNOWN, ""),
            row("slow", TaskState.TIMED_OUT, null, 15, Duration.ofMinutes(10), Health.State.UNKNOWN, "still"),
            row("watcher", TaskState.STOPPED, null, 15, Duration.ofSeconds(5), Health.State.UNKNOWN, ""),
            row("remote", TaskState.LOST, null, null, Duration.ofSeconds(7), Health.State.UNKNOWN, ""),
            row("deploy", TaskState.SKIPPED, null, null, null, Health.State.UNKNOWN, ""));

    private static String render(Glyphs g, List<Row> rows) {
        return String.join("\n", new Renderer(g, false, 120).lines(rows)) + "\n";
    }

    @Test
    void everyStateInUnicode() {
        assertEquals("""
                [·] docs-queued   queued                           
                [⋯] docs          running               0m41s  healthy    page 3 of 7
                [⋯] server        stopping           1h02m05s  unhealthy  bye
                [✓] node18-tests  PASSED                1m02s             ok 12
                [✗] lint          FAILED (exit 2)       0m03s             a.js:3 error
                [✗] crash         FAILED (signal 9)     0m00s
                [✗] slow          TIMED OUT            10m00s             still
                [■] watcher       STOPPED               0m05s
                [?] remote        LOST                  0m07s
                [-] deploy        SKIPPED
                """.replace("                           \n", "\n"), render(Glyphs.UNICODE, EVERY_STATE));
    }

    @Test
    void everyStateInAscii() {
        assertEquals("""
                [.] docs-queued   queued
                [~] docs          running               0m41s  healthy    page 3 of 7
                [~] server        stopping           1h02m05s  unhealthy  bye
                [+] node18-tests  PASSED                1m02s             ok 12
                [x] lint          FAILED (exit 2)       0m03s             a.js:3 error
                [x] crash         FAILED (signal 9)     0m00s
                [x] slow          TIMED OUT            10m00s             still
                [#] watcher       STOPPED               0m05s
                [?] remote        LOST                  0m07s
                [-] deploy        SKIPPED
                """, render(Glyphs.ASCII, EVERY_STATE));
    }

    @Test
    void theIssuesExample() {
        assertEquals("""
                [✓] node18-tests  PASSED           1m02s
                [⋯] docs          running          0m41s
                [✗] lint          FAILED (exit 2)  0m03s
                """, render(Glyphs.UNICODE, List.of(
                row("node18-tests", TaskState.SUCCEEDED, 0, null, Duration.ofSeconds(62), Health.State.UNKNOWN, ""),
                row("docs", TaskState.RUNNING, null, null, Duration.ofSeconds(41), Health.State.UNKNOWN, ""),
                row("lint", TaskState.FAILED, 2, null, Duration.ofSeconds(3), Health.State.UNKNOWN, ""))));
    }

    @Test
    void asciiWhereTheCharsetCannotEncodeTheSymbols() {
        assertEquals(Glyphs.ASCII, Glyphs.forCharset(StandardCharsets.US_ASCII));
        assertEquals(Glyphs.ASCII, Glyphs.forCharset(StandardCharsets.ISO_8859_1));
        assertEquals(Glyphs.UNICODE, Glyphs.forCharset(StandardCharsets.UTF_8));
        assertEquals(Glyphs.UNICODE, Glyphs.forCharset(StandardCharsets.UTF_16));
    }

    @Test
    void aTasksOutputCannotMoveTheCursorAndLinesNeverWrap() {
        Row evil = row("evil", TaskState.RUNNING, null, null, Duration.ofSeconds(1), Health.State.UNKNOWN,
                "\u001b[2J\u001b[31mred\u001b[0m\tand\rmore " + "y".repeat(200));
        String line = new Renderer(Glyphs.ASCII, false, 42).lines(List.of(evil)).get(0);
        assertEquals("[~] evil  running  0m01s  red and more yy", line);
        assertEquals(41, line.length(), "one column short of the width, so the terminal never wraps it");
    }

    @Test
    void colourOnlyAroundTheSymbolAndTheState() {
        String line = new Renderer(Glyphs.ASCII, true, 80).lines(List.of(
                row("lint", TaskState.FAILED, 2, null, Duration.ofSeconds(3), Health.State.UNKNOWN, "bad"))).get(0);
        assertEquals(CSI + "31m[x] " + CSI + "0mlint  " + CSI + "31mFAILED (exit 2)" + CSI + "0m  0m03s  bad", line);
    }

    @Test
    void noColorAndTerminalDetection() {
        assertTrue(StatusBoard.defaultColor(true, Map.of()));
        assertTrue(StatusBoard.defaultColor(true, Map.of("NO_COLOR", "")), "an empty NO_COLOR does not count");
        assertFalse(StatusBoard.defaultColor(true, Map.of("NO_COLOR", "1")));
        assertFalse(StatusBoard.defaultColor(false, Map.of()), "no colour in logs");
        assertTrue(StatusBoard.detectTerminal(true, Map.of("TERM", "xterm-256color")));
        assertFalse(StatusBoard.detectTerminal(true, Map.of("TERM", "dumb")));
        assertFalse(StatusBoard.detectTerminal(true, Map.of()));
        assertFalse(StatusBoard.detectTerminal(false, Map.of("TERM", "xterm")));
    }

    @Test
    void onATerminalEachFrameRewritesOnlyTheBoardsLinesInOneWrite() {
        List<Row> rows = new CopyOnWriteArrayList<>(List.of(
                row("a", TaskState.RUNNING, null, null, Duration.ofSeconds(1), Health.State.UNKNOWN, ""),
                row("b", TaskState.QUEUED, null, null, null, Health.State.UNKNOWN, "")));
        Writes out = new Writes();
        Printer p = new Printer(() -> rows, new Renderer(Glyphs.ASCII, false, 80), true, out, StandardCharsets.UTF_8,
                Duration.ofHours(1), null);
        p.start();
        p.refresh(); // nothing changed: nothing written
        rows.set(1, row("b", TaskState.RUNNING, null, null, Duration.ofSeconds(0), Health.State.UNKNOWN, "hi"));
        p.refresh();
        p.close();
        assertEquals(List.of(
                CSI + "2K[~] a  running  0m01s\n" + CSI + "2K[.] b  queued\n" + CSI + "J",
                "\r" + CSI + "2A" + CSI + "2K[~] a  running  0m01s\n" + CSI + "2K[~] b  running  0m00s  hi\n" + CSI + "J"),
                out.writes);
    }

    @Test
    void elsewhereOneLinePerChange() {
        List<Row> rows = new CopyOnWriteArrayList<>(List.of(
                row("a", TaskState.RUNNING, null, null, Duration.ofSeconds(1), Health.State.UNKNOWN, "x")));
        Writes out = new Writes();
        Printer p = new Printer(() -> rows, new Renderer(Glyphs.ASCII, false, 80), false, out, StandardCharsets.UTF_8,
                Duration.ofHours(1), null);
        p.start();
        rows.set(0, row("a", TaskState.RUNNING, null, null, Duration.ofSeconds(2), Health.State.UNKNOWN, "y"));
        p.refresh(); // only time and output moved: no line
        rows.add(row("b", TaskState.RUNNING, null, null, Duration.ofSeconds(0), Health.State.UNKNOWN, ""));
        p.refresh();
        rows.set(0, row("a", TaskState.SUCCEEDED, 0, null, Duration.ofSeconds(3), Health.State.UNKNOWN, "done"));
        p.close();
        p.refresh(); // closed: nothing more
        assertEquals(List.of("[~] a  running  0m01s  x\n", "[~] b  running  0m00s\n", "[+] a  PASSED   0m03s  done\n"),
                out.writes);
    }

    @Test
    void optionsAreValidated() {
        StatusBoard b = StatusBoard.of(List.of());
        assertEquals("width must be at least 20 columns, was 5",
                assertThrows(IllegalArgumentException.class, () -> b.width(5)).getMessage());
        assertEquals("refresh interval must be positive, was PT0S",
                assertThrows(IllegalArgumentException.class, () -> b.refreshEvery(Duration.ZERO)).getMessage());
        assertEquals("", b.charset(Charset.forName("US-ASCII")).render());
    }

    /** Records each write, to see what one frame is. */
    static final class Writes extends PrintStream {
        final List<String> writes = new CopyOnWriteArrayList<>();

        Writes() {
            super(new ByteArrayOutputStream());
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writes.add(new String(b, off, len, StandardCharsets.UTF_8));
        }
    }
}
