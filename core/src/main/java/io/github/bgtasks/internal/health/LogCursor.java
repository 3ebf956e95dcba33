package io.github.bgtasks.internal.health;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the complete lines a log gained since the last read, with their numbers (from 1). A
 * partial last line waits for its end. Not thread-safe: one probe owns it.
 */
public final class LogCursor {
    /** How much one read takes at most, so a flood of output costs one check a bounded time. */
    private static final int MAX_READ = 4 * 1024 * 1024;
    private static final int MAX_LINE = 8192;

    private long offset;
    private long lineNumber;
    private byte[] partial = new byte[0];

    /** A line and its number. */
    public record Line(long number, String text) {
        @Override
        public String toString() {
            return "line " + number + ": " + text;
        }
    }

    /** Feeds each new complete line to {@code sink}; returns how many there were. */
    public long readNew(Target target, Consumer<Line> sink) throws IOException {
        long count = 0;
        try (SeekableByteChannel ch = target.openLog()) {
            long size = ch.size();
            if (size < offset) { // truncated or replaced: start again
                offset = 0;
                partial = new byte[0];
            }
            ch.position(offset);
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(MAX_READ, Math.max(0, size - offset)));
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // fill
            }
            offset += buf.position();
            byte[] bytes = buf.array();
            int start = 0;
            for (int i = 0; i < buf.position(); i++) {
                if (bytes[i] == '\n') {
                    byte[] line = join(partial, bytes, start, i);
                    partial = new byte[0];
                    start = i + 1;
                    lineNumber++;
                    count++;
                    int len = line.length > 0 && line[line.length - 1] == '\r' ? line.length - 1 : line.length;
                    sink.accept(new Line(lineNumber, new String(line, 0, Math.min(len, MAX_LINE), StandardCharsets.UTF_8)));
                }
            }
            partial = join(partial, bytes, start, buf.position());
            if (partial.length > MAX_LINE) {
                partial = java.util.Arrays.copyOf(partial, MAX_LINE);
            }
        } catch (NoSuchFileException e) {
            return 0;
        }
        return count;
    }

    private static byte[] join(byte[] head, byte[] bytes, int from, int to) {
        byte[] out = new byte[head.length + (to - from)];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(bytes, from, out, head.length, to - from);
        return out;
    }

    /**
     * The relevant lines of a log for an alert: each line of its last 64 KiB that matches the
     * error pattern, with two lines before and one after, at most 30 lines; the last 10 lines if
     * none matches.
     */
    public static List<String> relevant(Target target) {
        return relevant(target::openLog, target.errorPattern());
    }

    /** Opens a log for reading. */
    @FunctionalInterface
    public interface LogOpener {
        /** @return the log, open for reading at any position */
        SeekableByteChannel open() throws IOException;
    }

    /** As {@link #relevant(Target)}, for any log and error pattern (a pipeline's failed step). */
    public static List<String> relevant(LogOpener log, java.util.regex.Pattern errorPattern) {
        List<String> lines = new ArrayList<>();
        try (SeekableByteChannel ch = log.open()) {
            long size = ch.size();
            long from = Math.max(0, size - 64 * 1024);
            ByteBuffer buf = ByteBuffer.allocate((int) (size - from));
            ch.position(from);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // fill
            }
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            for (String l : text.split("\n")) {
                lines.add(l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
            }
            if (from > 0 && !lines.isEmpty()) {
                lines.remove(0); // most likely cut in the middle
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        boolean[] keep = new boolean[lines.size()];
        boolean any = false;
        for (int i = 0; i < lines.size(); i++) {
            if (errorPattern.matcher(lines.get(i)).find()) {
                any = true;
                for (int j = Math.max(0, i - 2); j <= Math.min(lines.size() - 1, i + 1); j++) {
                    keep[j] = true;
                }
            }
        }
        if (!any) {
            return List.copyOf(lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        }
        List<String> out = new ArrayList<>();
        int last = -2;
        for (int i = 0; i < lines.size() && out.size() < 30; i++) {
            if (keep[i]) {
                if (last >= 0 && i > last + 1) {
                    out.add("...");
                }
                out.add(lines.get(i));
                last = i;
            }
        }
        return List.copyOf(out);
    }
}
