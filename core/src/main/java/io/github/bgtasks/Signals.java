package io.github.bgtasks;

/** Names of the common Linux signals, for messages. */
final class Signals {
    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP",
        "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE",
        "SIGALRM", "SIGTERM"};

    private Signals() {
    }

    static String describe(int signal) {
        return signal > 0 && signal < NAMES.length ? signal + " " + NAMES[signal] : String.valueOf(signal);
    }
}
