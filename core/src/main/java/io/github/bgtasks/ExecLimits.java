package io.github.bgtasks;

import io.github.bgtasks.internal.Text;

import java.util.List;
import java.util.Map;

/**
 * What every backend can hand to a program: the rules of Linux {@code execve(2)}, checked
 * before a backend sees a task, so that the same input gets the same answer on every backend
 * (a 200 KB variable was "Argument list too long" on the process backend and exit 126 on tmux;
 * an unpaired surrogate became {@code ?} on one and an encoder error on the other).
 *
 * <p>Text must be well-formed UTF-16 without NUL, because it is passed as UTF-8 C strings:
 * checked when a {@link TaskSpec} is built ({@link IllegalArgumentException}), as such a string
 * can never be passed. Sizes are checked by {@code start} ({@link TaskStartException}, "Argument
 * list too long", as the kernel says it), because the complete environment exists only then:
 * one argument, and one {@code NAME=value} variable, may take at most {@value #MAX_STRING} bytes
 * with its final NUL ({@code MAX_ARG_STRLEN}); all arguments and variables together, each
 * counted as its UTF-8 bytes, its NUL and an 8-byte pointer, at most {@value #MAX_TOTAL} bytes:
 * half of the usual 2 MiB that a default 8 MiB stack limit gives ({@code ARG_MAX}), which
 * leaves room for what a backend's wrapper adds (tmux) and for a smaller stack limit, and is
 * the same on every machine.
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

    /**
     * Checks that each argument and variable, and all of them together, fit what Linux passes.
     *
     * @param task the task's name (or its program), for the message
     * @throws TaskStartException "Argument list too long", naming the entry, its size and the limit
     */
    static void checkSizes(String task, List<String> argv, Map<String, String> env) {
        long args = 0;
        int largestArg = -1; // named only for the message: no string per argument and start
        long largestSize = -1;
        for (int i = 0; i < argv.size(); i++) {
            long bytes = utf8Length(argv.get(i));
            if (bytes + 1 > MAX_STRING) {
                throw tooLong(task, "argv[" + i + "] is " + Text.count(bytes) + " bytes long in UTF-8, and Linux passes "
                        + "at most " + Text.count(MAX_STRING - 1) + " bytes per argument (MAX_ARG_STRLEN)");
            }
            args += bytes + 1 + POINTER;
            if (bytes + 1 + POINTER > largestSize) {
                largestSize = bytes + 1 + POINTER;
                largestArg = i;
            }
        }
        EnvSize vars = sizeOf(task, env);
        if (args + vars.bytes() > MAX_TOTAL) {
            String largest = "argv[" + largestArg + "]";
            if (vars.largestSize() > largestSize) {
                largestSize = vars.largestSize();
                largest = vars.largest();
            }
            throw tooLong(task, "the command and its environment take " + Text.count(args + vars.bytes()) + " bytes ("
                    + Text.count(args) + " in " + argv.size() + " arguments, " + Text.count(vars.bytes()) + " in " + env.size()
                    + " environment variables; the largest is " + largest + " with " + Text.count(largestSize)
                    + "), and bgtasks passes at most " + Text.count(MAX_TOTAL) + " bytes (1 MiB, half of Linux's "
                    + "usual ARG_MAX) so that every backend can start the task");
        }
    }

    /** What the variables of an environment take: all together, and the largest one. */
    private record EnvSize(Map<String, String> env, long bytes, String largest, long largestSize) {
    }

    /**
     * The size of the last environment measured, kept for the next start that passes the same
     * (immutable) map: tasks without variables of their own all get the JVM's environment as one
     * map, and measuring its variables again for every start was a tenth of the core's work per
     * start (issue 8).
     */
    private static volatile EnvSize lastEnv;

    private static EnvSize sizeOf(String task, Map<String, String> env) {
        EnvSize last = lastEnv;
        if (last != null && last.env() == env) {
            return last;
        }
        long vars = 0;
        String largest = "";
        long largestSize = -1;
        for (Map.Entry<String, String> e : env.entrySet()) {
            long bytes = entryLength(e.getKey(), e.getValue());
            if (bytes + 1 > MAX_STRING) {
                String name = Text.abbreviate(e.getKey(), Text.MAX_VALUE);
                throw tooLong(task, "environment variable " + name + " is " + Text.count(bytes) + " bytes long as "
                        + "NAME=value in UTF-8, and Linux passes at most " + Text.count(MAX_STRING - 1)
                        + " bytes per variable (MAX_ARG_STRLEN)");
            }
            vars += bytes + 1 + POINTER;
            if (bytes + 1 + POINTER > largestSize) {
                largestSize = bytes + 1 + POINTER;
                largest = "environment variable " + Text.abbreviate(e.getKey(), Text.MAX_VALUE);
            }
        }
        EnvSize size = new EnvSize(env, vars, largest, largestSize);
        if (StartChecks.isShared(env)) {
            lastEnv = size; // immutable, so its size never changes
        }
        return size;
    }

    private static TaskStartException tooLong(String task, String what) {
        return new TaskStartException("could not start task " + task + ": Argument list too long: " + what + "; "
                + LARGE_DATA, null);
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
