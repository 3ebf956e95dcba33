package io.github.bgtasks;

import java.util.List;
import java.util.Map;

/**
 * What every backend can hand to a program: the rules of Linux {@code execve(2)}, checked
 * before a backend sees a task, so that the same input gets the same answer on every backend
 * (the process backend used to fail with "Argument list too long", tmux with exit 126; an
 * unpaired surrogate became {@code ?} on one and an encoder error on the other).
 *
 * <p>Text must be well-formed UTF-16 without NUL, because it is passed as UTF-8 C strings. One
 * argument, and one {@code NAME=value} variable, may take at most {@value #MAX_STRING} bytes
 * with its final NUL ({@code MAX_ARG_STRLEN}). All arguments and variables together, each
 * counted as its UTF-8 bytes, its NUL and an 8-byte pointer, may take at most
 * {@value #MAX_TOTAL} bytes: half of the usual 2 MiB that a default 8 MiB stack limit gives
 * ({@code ARG_MAX}), which leaves room for what a backend's wrapper adds (tmux) and for a
 * smaller stack limit, and is the same on every machine.
 */
final class ExecLimits {
    /** The kernel's limit on one string, final NUL included ({@code MAX_ARG_STRLEN}, 32 pages). */
    static final int MAX_STRING = 131_072;
    /** bgtasks' limit on argv and environment together. */
    static final int MAX_TOTAL = 1 << 20;
    private static final int POINTER = 8;
    private static final String LARGE_DATA = "pass large data in a file or on standard input";

    private ExecLimits() {
    }

    /** Rejects a NUL character or an unpaired surrogate in {@code s}, named {@code what} in the message. */
    static void checkText(String what, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\0') {
                throw new IllegalArgumentException(what + " contains a NUL character at index " + i
                        + ", which no program can receive");
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++; // a well-formed pair: one character outside the BMP
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(String.format("%s has an unpaired surrogate U+%04X at index %d, "
                        + "which is not text and has no UTF-8 form, so no program can receive it; the string was "
                        + "probably cut in the middle of a character or decoded from bytes with the wrong charset",
                        what, (int) c, i));
            }
        }
    }

    /** Checks one argument: text, and at most {@link #MAX_STRING} bytes with its NUL. */
    static void checkArgument(int index, String arg) {
        checkText("argv[" + index + "]", arg);
        long bytes = utf8Length(arg);
        if (bytes + 1 > MAX_STRING) {
            throw new IllegalArgumentException("argv[" + index + "] is " + Text.count(bytes) + " bytes long in UTF-8; "
                    + "Linux passes at most " + Text.count(MAX_STRING - 1) + " bytes per argument (MAX_ARG_STRLEN): "
                    + LARGE_DATA);
        }
    }

    /** Checks one variable: name and value are text, and {@code NAME=value} fits {@link #MAX_STRING}. */
    static void checkVariable(String name, String value) {
        checkText("environment variable name '" + Text.abbreviate(name, Text.MAX_VALUE) + "'", name);
        checkText("value of environment variable " + Text.abbreviate(name, Text.MAX_VALUE), value);
        long bytes = entryLength(name, value);
        if (bytes + 1 > MAX_STRING) {
            throw new IllegalArgumentException("environment variable " + Text.abbreviate(name, Text.MAX_VALUE)
                    + " is " + Text.count(bytes) + " bytes long as NAME=value in UTF-8; Linux passes at most "
                    + Text.count(MAX_STRING - 1) + " bytes per variable (MAX_ARG_STRLEN): " + LARGE_DATA);
        }
    }

    /**
     * Checks that a command and its complete environment fit {@link #MAX_TOTAL} together. Only
     * known at start, when the JVM's environment and the task's changes are merged.
     */
    static void checkTotal(List<String> argv, Map<String, String> env) {
        long args = 0;
        long vars = 0;
        String largest = "";
        long largestSize = -1;
        for (int i = 0; i < argv.size(); i++) {
            long size = utf8Length(argv.get(i)) + 1 + POINTER;
            args += size;
            if (size > largestSize) {
                largestSize = size;
                largest = "argv[" + i + "]";
            }
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            long size = entryLength(e.getKey(), e.getValue()) + 1 + POINTER;
            vars += size;
            if (size > largestSize) {
                largestSize = size;
                largest = "environment variable " + Text.abbreviate(e.getKey(), Text.MAX_VALUE);
            }
        }
        if (args + vars > MAX_TOTAL) {
            throw new IllegalArgumentException("the command and its environment take " + Text.count(args + vars)
                    + " bytes (" + Text.count(args) + " in " + argv.size() + " arguments, " + Text.count(vars) + " in "
                    + env.size() + " environment variables; the largest is " + largest + " with "
                    + Text.count(largestSize) + "); bgtasks passes at most " + Text.count(MAX_TOTAL)
                    + " bytes (1 MiB, half of Linux's usual ARG_MAX) so that every backend can start the task: "
                    + LARGE_DATA);
        }
    }

    private static long entryLength(String name, String value) {
        return utf8Length(name) + 1 + utf8Length(value);
    }

    /** The length of well-formed text in UTF-8, without encoding it. */
    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
