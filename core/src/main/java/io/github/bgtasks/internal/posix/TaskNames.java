package io.github.bgtasks.internal.posix;

import java.util.Objects;

/**
 * The rule for task names, which every backend can use as a file name, a tmux session name and a
 * shell word without quoting: 1 to 64 ASCII letters, digits, {@code _} and {@code -}, not
 * starting with {@code -}.
 *
 * <p><b>Not API.</b> This class is thread-safe.
 */
public final class TaskNames {
    /** The rule, for messages. */
    public static final String RULE = "use 1 to 64 letters, digits, '_' and '-', not starting with '-'";
    /** The longest name. */
    public static final int MAX_LENGTH = 64;

    private TaskNames() {
    }

    /**
     * Checks a name against {@link #RULE}.
     *
     * @param name the name
     * @return the name
     * @throws NullPointerException if it is null
     * @throws IllegalArgumentException if it breaks the rule; the message shows the first bad character
     */
    public static String check(String name) {
        Objects.requireNonNull(name, "name must not be null");
        if (name.isEmpty() || name.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("task name '" + name + "' has " + name.length() + " characters; " + RULE);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!allowed(c, i)) {
                throw new IllegalArgumentException("task name '" + printable(name) + "' has "
                        + describe(c) + " at index " + i + "; " + RULE);
            }
        }
        return name;
    }

    /**
     * Tells whether a name follows {@link #RULE}.
     *
     * @param name the name, may be null
     * @return whether it is valid
     */
    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!allowed(name.charAt(i), i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Derives the stem of a name from a program, for tasks started without a name: its file
     * name with every other character replaced by {@code -}, at most 50 characters (room for a
     * counter), or {@code task}.
     *
     * @param program {@code argv[0]}
     * @return a valid name stem
     */
    public static String stemOf(String program) {
        String base = program.substring(program.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9_-]", "-");
        base = base.replaceFirst("^-+", "");
        return base.isEmpty() ? "task" : base.substring(0, Math.min(base.length(), 50));
    }

    private static boolean allowed(char c, int i) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '_' || (c == '-' && i > 0));
    }

    private static String describe(char c) {
        return c < 32 || c == 127 ? String.format("control character U+%04X", (int) c) : "'" + c + "'";
    }

    /**
     * Shows control characters as {@code \\uXXXX}, so that a message never carries them.
     *
     * @param s any text
     * @return the text, printable
     */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.chars().forEach(c -> b.append(c < 32 || c == 127 ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return b.toString();
    }
}
