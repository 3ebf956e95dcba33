package io.github.bgtasks.board;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.internal.Durations;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * A status box a person can glance at: one line per task, such as
 * <pre>
 * [✓] node18-tests  PASSED           1m02s
 * [⋯] docs          running          0m41s  healthy  building page 3 of 7
 * [✗] lint          FAILED (exit 2)  0m03s           src/app.js:3:1 error: missing semicolon
 * </pre>
 * with the task's state, run time, health (when it has checks) and last line of output.
 * Outcomes are in capitals ({@code PASSED}, {@code FAILED (exit 2)}, {@code FAILED (signal 9)},
 * {@code TIMED OUT}, {@code STOPPED}, {@code LOST}, {@code SKIPPED}); work in progress in lower
 * case ({@code queued}, {@code running}, {@code stopping}).
 *
 * <pre>{@code
 * try (StatusBoard.Live board = StatusBoard.of(tasks).printTo(System.out)) {
 *     build.onExit().join();
 * }
 * }</pre>
 *
 * <p><b>On a terminal</b> the board redraws itself in place, four times a second by default:
 * each frame moves the cursor up over the board's own lines and rewrites them (erase line,
 * text), in one write, and only when something changed, so it does not flicker and leaves the
 * rest of the screen alone. Lines are cut to the terminal's width ({@code COLUMNS}, else 80) so
 * that none wraps. <b>Otherwise</b> (CI logs, a file, a pipe) it prints one plain line each time
 * a task appears or its state or health changes.
 *
 * <p><b>Terminal detection</b>, unless {@link #terminal(boolean)} decides: a terminal when the
 * JVM has a {@link System#console() console} (its standard input and output are a terminal)
 * and {@code TERM} is set and is not {@code dumb}. <b>Symbols</b>: Unicode when the output's
 * charset can encode them, else ASCII ({@code [+]} passed, {@code [x]} failed or timed out,
 * {@code [~]} running or stopping, {@code [.]} queued, {@code [#]} stopped, {@code [?]} lost,
 * {@code [-]} skipped). The charset is {@link #charset(Charset)}, else the JVM's
 * {@code stdout.encoding} (or {@code sun.stdout.encoding}), else its default charset; frames
 * are written as bytes in that charset. <b>Colour</b> only on a terminal and only if
 * {@code NO_COLOR} is unset or empty (see no-color.org); {@link #color(boolean)} overrides both.
 *
 * <p>This class is immutable and thread-safe; each option returns a new board.
 */
public final class StatusBoard {
    static final Duration DEFAULT_REFRESH = Duration.ofMillis(250);

    private final Supplier<List<TaskHandle>> source;
    private final Boolean terminal;
    private final Boolean color;
    private final Charset charset;
    private final Integer width;
    private final Duration refresh;
    private final ScheduledExecutorService scheduler;

    private StatusBoard(Supplier<List<TaskHandle>> source, Boolean terminal, Boolean color, Charset charset,
            Integer width, Duration refresh, ScheduledExecutorService scheduler) {
        this.source = source;
        this.terminal = terminal;
        this.color = color;
        this.charset = charset;
        this.width = width;
        this.refresh = refresh;
        this.scheduler = scheduler;
    }

    /**
     * A board of every task of an instance ({@link BackgroundTasks#list()}), oldest first;
     * tasks started later appear as they start.
     *
     * @param tasks the instance
     * @return the board
     */
    public static StatusBoard of(BackgroundTasks tasks) {
        Objects.requireNonNull(tasks, "tasks must not be null");
        return new StatusBoard(tasks::list, null, null, null, null, DEFAULT_REFRESH, null);
    }

    /**
     * A board of the given tasks, in that order.
     *
     * @param tasks the tasks
     * @return the board
     */
    public static StatusBoard of(List<? extends TaskHandle> tasks) {
        Objects.requireNonNull(tasks, "tasks must not be null");
        List<TaskHandle> copy = List.copyOf(tasks);
        return new StatusBoard(() -> copy, null, null, null, null, DEFAULT_REFRESH, null);
    }

    /**
     * Decides whether the output is a terminal (redraw in place) or not (one plain line per
     * change), instead of detecting it.
     *
     * @param isTerminal whether the output is a terminal
     * @return a new board
     */
    public StatusBoard terminal(boolean isTerminal) {
        return new StatusBoard(source, isTerminal, color, charset, width, refresh, scheduler);
    }

    /**
     * Decides whether to colour states, instead of "on a terminal, unless {@code NO_COLOR}".
     *
     * @param useColor whether to use colour
     * @return a new board
     */
    public StatusBoard color(boolean useColor) {
        return new StatusBoard(source, terminal, useColor, charset, width, refresh, scheduler);
    }

    /**
     * Sets the charset the output expects; symbols fall back to ASCII if it cannot encode them.
     *
     * @param cs the charset, such as {@code StandardCharsets.US_ASCII}
     * @return a new board
     */
    public StatusBoard charset(Charset cs) {
        Objects.requireNonNull(cs, "charset must not be null");
        return new StatusBoard(source, terminal, color, cs, width, refresh, scheduler);
    }

    /**
     * Sets the width lines are cut to (a line never reaches the last column, so it never wraps).
     *
     * @param columns at least 20; default {@code COLUMNS}, else 80
     * @return a new board
     */
    public StatusBoard width(int columns) {
        if (columns < 20) {
            throw new IllegalArgumentException("width must be at least 20 columns, was " + columns);
        }
        return new StatusBoard(source, terminal, color, charset, columns, refresh, scheduler);
    }

    /**
     * Sets how often a live board looks at the tasks.
     *
     * @param interval a positive duration; default 250 ms
     * @return a new board
     */
    public StatusBoard refreshEvery(Duration interval) {
        Durations.requirePositive(interval, "refresh interval");
        return new StatusBoard(source, terminal, color, charset, width, interval, scheduler);
    }

    /**
     * Sets the scheduler that runs the refreshes, primarily for tests in virtual time (the
     * testkit's {@code FakeScheduler}); it is not shut down by the board. Default: one daemon
     * thread per live board, {@code bgtasks-board}, ended by {@link Live#close()}.
     *
     * @param s the scheduler
     * @return a new board
     */
    public StatusBoard scheduler(ScheduledExecutorService s) {
        Objects.requireNonNull(s, "scheduler must not be null");
        return new StatusBoard(source, terminal, color, charset, width, refresh, s);
    }

    /**
     * Renders the board once, as plain text without colour: one line per task, each ended by
     * {@code \n}.
     *
     * @return the board's text
     */
    public String render() {
        StringBuilder b = new StringBuilder();
        for (String line : new Renderer(Glyphs.forCharset(resolvedCharset()), false, resolvedWidth())
                .lines(rows())) {
            b.append(line).append('\n');
        }
        return b.toString();
    }

    /**
     * Starts printing the board to a stream: live on a terminal, one line per change
     * otherwise (see the class description). Close the returned board to stop it; closing
     * prints the final state once more and does not close the stream.
     *
     * @param out the stream, such as {@code System.out}
     * @return the running board
     */
    public Live printTo(PrintStream out) {
        Objects.requireNonNull(out, "out must not be null");
        boolean term = terminal != null ? terminal : detectTerminal(System.console() != null, System.getenv());
        boolean colour = color != null ? color : defaultColor(term, System.getenv());
        Charset cs = resolvedCharset();
        Renderer r = new Renderer(Glyphs.forCharset(cs), colour, resolvedWidth());
        Printer p = new Printer(this::rows, r, term, out, cs, refresh, scheduler);
        p.start();
        return new Live(p);
    }

    List<Row> rows() {
        return source.get().stream().map(Row::of).toList();
    }

    private Charset resolvedCharset() {
        if (charset != null) {
            return charset;
        }
        for (String p : new String[] {"stdout.encoding", "sun.stdout.encoding"}) {
            String name = System.getProperty(p);
            if (name != null) {
                try {
                    return Charset.forName(name);
                } catch (IllegalArgumentException e) {
                    // an unknown name: try the next source
                }
            }
        }
        return Charset.defaultCharset();
    }

    private int resolvedWidth() {
        if (width != null) {
            return width;
        }
        try {
            int c = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "").trim());
            return c >= 20 ? c : 80;
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    /** A console, and a TERM that can move the cursor. */
    static boolean detectTerminal(boolean hasConsole, Map<String, String> env) {
        String term = env.get("TERM");
        return hasConsole && term != null && !term.isBlank() && !term.equals("dumb");
    }

    /** Colour on a terminal, unless NO_COLOR is set to anything but the empty string. */
    static boolean defaultColor(boolean isTerminal, Map<String, String> env) {
        String noColor = env.get("NO_COLOR");
        return isTerminal && (noColor == null || noColor.isEmpty());
    }

    @Override
    public String toString() {
        return "StatusBoard{terminal=" + (terminal == null ? "detect" : terminal) + ", color="
                + (color == null ? "detect" : color) + ", refresh=" + refresh + "}";
    }

    /**
     * A board being printed. Closing it stops the refreshes and prints the final state once more;
     * calling it again does nothing. This class is thread-safe.
     */
    public static final class Live implements AutoCloseable {
        private final Printer printer;

        Live(Printer printer) {
            this.printer = printer;
        }

        /**
         * Draws a frame now (on a terminal, only if something changed), besides the regular
         * refreshes; for tests in virtual time, or to show a change at once.
         */
        public void refresh() {
            printer.refresh();
        }

        /** Stops the refreshes and prints the final state. */
        @Override
        public void close() {
            printer.close();
        }
    }
}
