package io.github.bgtasks.board;

import io.github.bgtasks.TaskState;
import io.github.bgtasks.health.Health;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns rows into board lines: {@code [✓] node18-tests  PASSED           1m02s}, the columns
 * aligned over the rows of one frame, each line cut to the width so that a line never wraps (a
 * wrapped line would throw off the cursor-up redraw). Immutable and thread-safe.
 */
final class Renderer {
    private static final String ESC = "\u001b[";
    private static final String RESET = ESC + "0m";

    private final Glyphs glyphs;
    private final boolean color;
    private final int width;

    Renderer(Glyphs glyphs, boolean color, int width) {
        this.glyphs = glyphs;
        this.color = color;
        this.width = width;
    }

    /** One line per row, in the rows' order, without line ends. */
    List<String> lines(List<Row> rows) {
        int nameWidth = 0;
        int labelWidth = 0;
        int timeWidth = 0;
        int healthWidth = 0;
        for (Row r : rows) {
            nameWidth = Math.max(nameWidth, r.name().length());
            labelWidth = Math.max(labelWidth, label(r).length());
            timeWidth = Math.max(timeWidth, time(r.runtime()).length());
            healthWidth = Math.max(healthWidth, health(r.health()).length());
        }
        List<String> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            String head = "[" + glyphs.symbol(r.state()) + "] ";
            StringBuilder tail = new StringBuilder();
            tail.append(padLeft(time(r.runtime()), timeWidth));
            if (healthWidth > 0) {
                tail.append("  ").append(pad(health(r.health()), healthWidth));
            }
            String last = clean(r.lastLine());
            if (!last.isEmpty()) {
                tail.append("  ").append(last);
            }
            String name = pad(r.name(), nameWidth) + "  ";
            String label = pad(label(r), labelWidth) + "  ";
            String plainHead = head + name + label;
            int room = Math.max(0, width - 1 - plainHead.length());
            String rest = stripEnd(cut(tail.toString(), room));
            if (!color) {
                out.add(stripEnd(cut(plainHead, width - 1) + rest));
            } else {
                String c = colorOf(r.state());
                String healthPart = rest;
                if (r.health() == Health.State.UNHEALTHY) {
                    healthPart = rest.replaceFirst("unhealthy", ESC + "31m" + "unhealthy" + RESET);
                }
                out.add(c + head + RESET + name + c + label.stripTrailing() + RESET
                        + label.substring(label.stripTrailing().length()) + healthPart);
            }
        }
        return out;
    }

    /** The state as a person reads it: outcomes in capitals, work in progress in lower case. */
    static String label(Row r) {
        return switch (r.state()) {
            case QUEUED -> "queued";
            case RUNNING -> "running";
            case STOPPING -> "stopping";
            case SUCCEEDED -> "PASSED";
            case FAILED -> r.signal().isPresent() ? "FAILED (signal " + r.signal().getAsInt() + ")"
                    : r.exitCode().isPresent() ? "FAILED (exit " + r.exitCode().getAsInt() + ")" : "FAILED";
            case TIMED_OUT -> "TIMED OUT";
            case STOPPED -> "STOPPED";
            case LOST -> "LOST";
            case SKIPPED -> "SKIPPED";
        };
    }

    /** {@code 0m41s}, {@code 1h02m03s}; empty for a task that never ran. */
    static String time(Duration d) {
        if (d == null) {
            return "";
        }
        long s = Math.max(0, d.getSeconds());
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, (s / 60) % 60, s % 60);
    }

    private static String health(Health.State h) {
        return switch (h) {
            case HEALTHY -> "healthy";
            case UNHEALTHY -> "unhealthy";
            case UNKNOWN -> "";
        };
    }

    private static String colorOf(TaskState s) {
        return switch (s) {
            case SUCCEEDED -> ESC + "32m";
            case FAILED, TIMED_OUT, LOST -> ESC + "31m";
            case RUNNING, STOPPING -> ESC + "33m";
            case QUEUED, STOPPED, SKIPPED -> ESC + "2m";
        };
    }

    /**
     * A task's output line made harmless: escape sequences (colours, cursor moves) dropped, other
     * control characters turned into spaces, so that a task cannot move the board's cursor.
     */
    static String clean(String s) {
        String noEscapes = s.replaceAll("\u001b\\[[0-?]*[ -/]*[@-~]", "").replaceAll("\u001b[@-_]", "");
        StringBuilder b = new StringBuilder(noEscapes.length());
        noEscapes.codePoints().forEach(cp -> b.appendCodePoint(cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? ' ' : cp));
        return b.toString().strip();
    }

    private static String cut(String s, int max) {
        if (max <= 0) {
            return "";
        }
        if (s.codePointCount(0, s.length()) <= max) {
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, max));
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }

    private static String padLeft(String s, int w) {
        return s.length() >= w ? s : " ".repeat(w - s.length()) + s;
    }

    private static String stripEnd(String s) {
        return s.stripTrailing();
    }
}
