package io.github.bgtasks.internal;

import java.util.List;
import java.util.Locale;

/**
 * Shortens values for messages, so that a 100 KB argument never becomes a 100 KB message.
 *
 * <p><b>Not API:</b> public only so that the bgtasks modules share it; it may change in any
 * release. This class is thread-safe.
 */
public final class Text {
    /** How many characters of one value a message shows. */
    public static final int MAX_VALUE = 200;
    /** How many arguments of a command a message shows. */
    private static final int MAX_ARGS = 20;

    private Text() {
    }

    /** Returns {@code s}, cut to {@code max} characters with a note of how many were left out. */
    public static String abbreviate(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = max;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--; // never cut a character in two
        }
        return s.substring(0, end) + "...(" + count(s.length() - end) + " more chars)";
    }

    /** Formats a command like {@link List#toString()}, each argument and the count shortened. */
    public static String command(List<String> argv) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < argv.size() && i < MAX_ARGS; i++) {
            b.append(i == 0 ? "" : ", ").append(abbreviate(argv.get(i), MAX_VALUE));
        }
        if (argv.size() > MAX_ARGS) {
            b.append(", ...(").append(count(argv.size() - MAX_ARGS)).append(" more arguments)");
        }
        return b.append(']').toString();
    }

    /** Formats a count with thousands separators, such as {@code 131,072}. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
