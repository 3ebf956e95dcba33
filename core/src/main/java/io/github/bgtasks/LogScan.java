package io.github.bgtasks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads task logs: the last lines, and the warning and error lines. Works on bytes so that a
 * 10 MB line or a non-UTF-8 byte costs nothing special; lines end at {@code \n}, and a
 * {@code \r} before it (tmux logs) is dropped.
 */
final class LogScan {
    private static final Logger LOG = LoggerFactory.getLogger(LogScan.class);
    /** Longer lines are matched on their first part only, so memory stays bounded. */
    private static final int MAX_LINE = 64 * 1024;
    private static final int MAX_ERROR_LINES = 10;

    private final Pattern warning;
    private final Pattern error;
    private final Opener opener;

    /** Opens a log for reading: the {@link io.github.bgtasks.spi.LogStore}'s way, or the file system's. */
    @FunctionalInterface
    interface Opener {
        SeekableByteChannel open(Path log) throws IOException;
    }

    /** Reads logs from this machine's file system. */
    LogScan(Pattern warning, Pattern error) {
        this(warning, error, Files::newByteChannel);
    }

    LogScan(Pattern warning, Pattern error, Opener opener) {
        this.warning = warning;
        this.error = error;
        this.opener = opener;
    }

    /** @return the error pattern */
    Pattern errorPattern() {
        return error;
    }

    /** What was picked out of one log. */
    record Digest(int warnings, int errors, List<String> firstErrors) {
    }

    Digest scan(Path log) {
        Counter counter = new Counter();
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Channels.newInputStream(opener.open(log))) {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                for (int i = 0; i < n; i++) {
                    counter.accept(buf[i]);
                }
            }
            counter.endLine();
        } catch (NoSuchFileException e) {
            LOG.debug("log {} is gone; no warnings or errors counted", log);
        } catch (IOException e) {
            LOG.warn("could not scan log {} for warnings and errors: {}", log, e.toString());
        }
        return new Digest(counter.warnings, counter.errors, Collections.unmodifiableList(counter.firstErrors));
    }

    /** Splits bytes into lines and matches each one. */
    private final class Counter {
        int warnings;
        int errors;
        final List<String> firstErrors = new ArrayList<>();
        private byte[] line = new byte[256];
        private int len;

        void accept(byte b) {
            if (b == '\n') {
                endLine();
            } else if (len < MAX_LINE) {
                if (len == line.length) {
                    line = Arrays.copyOf(line, Math.min(MAX_LINE, len * 2));
                }
                line[len++] = b;
            }
        }

        void endLine() {
            int l = len > 0 && line[len - 1] == '\r' ? len - 1 : len;
            len = 0;
            if (l == 0) {
                return;
            }
            // Latin-1 maps bytes 1:1 to chars: cheap, and enough for ASCII patterns.
            String text = new String(line, 0, l, StandardCharsets.ISO_8859_1);
            if (error.matcher(text).find()) {
                errors++;
                if (firstErrors.size() < MAX_ERROR_LINES) {
                    firstErrors.add(new String(line, 0, l, StandardCharsets.UTF_8));
                }
            } else if (warning.matcher(text).find()) {
                warnings++;
            }
        }
    }

    /** Reads the last {@code n} lines of a log through this scan's opener. */
    List<String> lastLines(Path log, int n) {
        return tail(opener, log, n);
    }

    /** Reads the last {@code n} lines of a file on this machine. */
    static List<String> tail(Path log, int n) {
        return tail(Files::newByteChannel, log, n);
    }

    /** Reads the last {@code n} lines by walking back from the end of the log. */
    private static List<String> tail(Opener opener, Path log, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("line count must not be negative, was " + n);
        }
        if (n == 0) {
            return List.of();
        }
        try (SeekableByteChannel ch = opener.open(log)) {
            long size = ch.size();
            long pos = size;
            int newlines = 0;
            ByteBuffer chunk = ByteBuffer.allocate(8192);
            long start = 0;
            boolean skippedFinalNewline = false;
            search:
            while (pos > 0) {
                int step = (int) Math.min(chunk.capacity(), pos);
                pos -= step;
                chunk.clear().limit(step);
                ch.position(pos);
                while (chunk.hasRemaining() && ch.read(chunk) >= 0) {
                    // keep reading until the chunk is full
                }
                for (int i = step - 1; i >= 0; i--) {
                    if (chunk.get(i) == '\n') {
                        if (!skippedFinalNewline && pos + i == size - 1) {
                            skippedFinalNewline = true;
                            continue;
                        }
                        if (++newlines == n) {
                            start = pos + i + 1;
                            break search;
                        }
                    }
                }
            }
            long length = size - start;
            if (length > Integer.MAX_VALUE - 16) {
                start = size - (Integer.MAX_VALUE - 16);
                length = size - start;
            }
            ByteBuffer all = ByteBuffer.allocate((int) length);
            ch.position(start);
            while (all.hasRemaining() && ch.read(all) >= 0) {
                // read the rest
            }
            String text = new String(all.array(), 0, all.position(), StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(n);
            for (String l : text.split("\n", -1)) {
                lines.add(l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
            }
            if (skippedFinalNewline && !lines.isEmpty()) {
                lines.remove(lines.size() - 1);
            }
            if (size == 0) {
                return List.of();
            }
            return Collections.unmodifiableList(lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not read log " + log, e);
        }
    }
}
