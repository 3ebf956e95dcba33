package io.github.bgtasks.cli;

/**
 * A failure to report on stderr as {@code bgtasks: <message>}, with an exit code: 1 for a
 * failure (an unknown task, a backend that cannot run here), {@link Main#USAGE} for a command
 * used wrongly.
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    static CliException usage(String message) {
        return new CliException(Main.USAGE, message);
    }

    static CliException failure(String message) {
        return new CliException(Main.FAILURE, message);
    }

    int exitCode() {
        return exitCode;
    }
}
