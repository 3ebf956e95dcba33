package io.github.bgtasks.tmux;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a person sees of a live {@link io.github.bgtasks.board.StatusBoard} on a real terminal:
 * a program prints the board in a pane of a private tmux server, and the test reads the pane
 * with {@code capture-pane} while the board refreshes. The board redraws in place: the whole
 * pane history holds each task once, however many frames were drawn.
 */
class LiveBoardTest {
    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();

    @Test
    void theBoardRefreshesInPlaceOnARealTerminal() throws Exception {
        liveBoard("C.UTF-8", "✓", "✗", "⋯");
    }

    /** A terminal whose locale cannot show the symbols: the JVM's output charset is ASCII, so is the board. */
    @Test
    void anAsciiTerminalGetsTheAsciiBoard() throws Exception {
        liveBoard("C", "+", "x", "~");
    }

    private void liveBoard(String locale, String passed, String failed, String running) throws Exception {
        String marker = "marker-" + UUID.randomUUID();
        String channel = "board-" + UUID.randomUUID();
        String java = ProcessHandle.current().info().command().orElseThrow();
        Pattern waitsRunning = Pattern.compile("\\[" + Pattern.quote(running)
                + "\\] waits\\s+running\\s+(\\d+m\\d\\ds)\\s+waiting for the channel");
        String p = Pattern.quote(passed);
        String f = Pattern.quote(failed);
        // Its own state and logs: the other test's tasks are not adopted onto this board.
        java.nio.file.Path own = SERVER.logDir().resolveSibling("board-" + locale);
        // Nothing tells the program its charset but the pane's locale.
        String[] board = {"new-session", "-d", "-s", "board", "-x", "120", "-y", "20", "-e", "LC_ALL=" + locale, "-e",
                "TERM=screen", "--", java, "-cp", System.getProperty("java.class.path"), BoardJvm.class.getName(),
                SERVER.socket, own.resolve("state").toString(), own.resolve("logs").toString(), channel, marker,
                // Should the program die, its pane stays with what it printed (the failure shows what it was).
                ";", "set-option", "-w", "-t", "=board:", "remain-on-exit", "on"};
        // The other test's board (and its JVM's keeper) may just have left the server without a
        // session: a new-session that meets the exiting server fails ("server exited
        // unexpectedly") and is repeated, as the backend does. Any other answer is an error.
        String answer = SERVER.tmux(board);
        for (int tries = 1; answer.contains("server exited unexpectedly") && tries < 10; tries++) {
            answer = SERVER.tmux(board);
        }
        assertEquals("", answer.strip(), "the board's session did not start");
        try {
            // The three tasks as a person sees them, while the board refreshes.
            List<String> times = new ArrayList<>();
            java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>();
            try {
                await().atMost(Fixtures.PATIENCE).until(() -> {
                    String screen = screen();
                    seen.set(screen);
                    Matcher m = waitsRunning.matcher(screen);
                    if (!screen.matches("(?s).*\\[" + p + "\\] passes\\s+PASSED\\s+\\d+m\\d\\ds\\s+compiled 12 files.*")
                            || !screen.matches("(?s).*\\[" + f + "\\] fails\\s+FAILED \\(exit 2\\)\\s+\\d+m\\d\\ds\\s+src/a\\.js:3 error: bad.*")
                            || !m.find()) {
                        return false;
                    }
                    if (times.isEmpty() || !times.get(times.size() - 1).equals(m.group(1))) {
                        times.add(m.group(1));
                    }
                    return times.size() >= 2; // its run time moved on screen: the board is live
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("the live board did not show; last screen:\n" + seen.get(), e);
            }

            SERVER.tmux("wait-for", "-S", channel);
            await().atMost(Fixtures.PATIENCE).until(() -> screen().contains("BOARD-DONE"));
            String all = history();
            assertTrue(all.matches("(?s).*\\[" + p + "\\] waits\\s+PASSED\\s+\\d+m\\d\\ds\\s+released.*"), all);
            for (String name : List.of("passes", "fails", "waits")) {
                assertEquals(1, count(all, "] " + name + " "), "drawn in place, once on the terminal:\n" + all);
            }
            assertTrue(!all.contains("\u001b") && !all.contains("[2K"), "no escape sequence shows:\n" + all);
        } finally {
            SERVER.tmux("kill-session", "-t", "=board");
        }
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    /** The visible screen. */
    private static String screen() throws Exception {
        return SERVER.tmux("capture-pane", "-p", "-t", "=board:");
    }

    /** The screen and everything scrolled off it. */
    private static String history() throws Exception {
        return SERVER.tmux("capture-pane", "-p", "-S", "-", "-E", "-", "-t", "=board:");
    }
}
