package io.github.bgtasks.board;

import io.github.bgtasks.internal.posix.DaemonThreads;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prints frames of a live board: on a terminal, redraws the board's own lines in place; else
 * prints a line per change. Frames are drawn one at a time under {@link #lock}; the next refresh
 * is scheduled after each frame (not at a fixed rate), so a slow frame never piles up. Thread-safe.
 */
final class Printer {
    private static final Logger LOG = LoggerFactory.getLogger(Printer.class);
    private static final String CSI = "\u001b[";

    private final Supplier<List<Row>> rows;
    private final Renderer renderer;
    private final boolean terminal;
    private final PrintStream out;
    private final Charset charset;
    private final long refreshNanos;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final Object lock = new Object();

    // guarded by lock
    private List<String> drawn = List.of(); // terminal: the lines on screen
    private final Map<String, String> printed = new HashMap<>(); // plain: id -> status last printed
    private Future<?> next;
    private boolean closed;

    Printer(Supplier<List<Row>> rows, Renderer renderer, boolean terminal, PrintStream out, Charset charset,
            Duration refresh, ScheduledExecutorService scheduler) {
        this.rows = rows;
        this.renderer = renderer;
        this.terminal = terminal;
        this.out = out;
        this.charset = charset;
        this.refreshNanos = refresh.toNanos();
        this.ownsScheduler = scheduler == null;
        if (ownsScheduler) {
            ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, DaemonThreads.factory("bgtasks-board"));
            s.setRemoveOnCancelPolicy(true);
            this.scheduler = s;
        } else {
            this.scheduler = scheduler;
        }
    }

    void start() {
        refresh();
        schedule();
    }

    private void schedule() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            try {
                next = scheduler.schedule(this::tick, refreshNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                closed = true; // the user's scheduler was shut down: the board stops
            }
        }
    }

    private void tick() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warn("the status board could not draw a frame; trying again at the next refresh", e);
        }
        schedule();
    }

    void refresh() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            draw();
        }
    }

    private void draw() {
        List<Row> now = rows.get();
        List<String> lines = renderer.lines(now);
        StringBuilder frame = new StringBuilder();
        if (terminal) {
            if (lines.equals(drawn)) {
                return; // nothing changed: no write, no flicker
            }
            if (!drawn.isEmpty()) {
                frame.append('\r').append(CSI).append(drawn.size()).append('A');
            }
            for (String line : lines) {
                frame.append(CSI).append("2K").append(line).append('\n');
            }
            frame.append(CSI).append('J'); // a board that shrank leaves no old lines below it
            drawn = lines;
        } else {
            List<String> changed = new ArrayList<>();
            for (int i = 0; i < now.size(); i++) {
                Row r = now.get(i);
                String key = r.id() != null ? r.id() : r.name();
                if (!r.status().equals(printed.put(key, r.status()))) {
                    changed.add(lines.get(i));
                }
            }
            changed.forEach(l -> frame.append(l).append('\n'));
        }
        if (frame.length() > 0) {
            byte[] bytes = frame.toString().getBytes(charset);
            out.write(bytes, 0, bytes.length); // one write per frame
            out.flush();
        }
    }

    void close() {
        Future<?> pending;
        synchronized (lock) {
            if (closed) {
                return;
            }
            try {
                draw(); // the final state
            } catch (RuntimeException e) {
                LOG.warn("the status board could not draw its last frame", e);
            }
            closed = true;
            pending = next;
        }
        if (pending != null) {
            pending.cancel(false);
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }
}
