package io.github.bgtasks.internal.posix;

/**
 * Names of the common Linux signals, for messages.
 *
 * <p><b>Not API.</b> This class is thread-safe.
 */
public final class Signals {
    /** SIGKILL's number. */
    public static final int SIGKILL = 9;
    /** SIGTERM's number. */
    public static final int SIGTERM = 15;

    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP",
        "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE",
        "SIGALRM", "SIGTERM"};

    private Signals() {
    }

    /**
     * Describes a signal for people.
     *
     * @param signal its number
     * @return such as {@code "15 SIGTERM"}, or the bare number for the less common ones
     */
    public static String describe(int signal) {
        return signal > 0 && signal < NAMES.length ? signal + " " + NAMES[signal] : String.valueOf(signal);
    }
}
