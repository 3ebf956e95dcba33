package io.github.bgtasks.internal.posix;

import java.util.OptionalInt;

/**
 * How a process ended, decoded once from what the system or a shell reports: an exit code
 * (0..255) or the signal that killed it, never both, and never "exit code 143" for SIGTERM.
 *
 * <p><b>Not API.</b> This class is immutable and thread-safe.
 *
 * @param exitCode the exit code, or -1 if a signal ended the process
 * @param signal the signal, or 0 if the process exited by itself
 */
public record WaitStatus(int exitCode, int signal) {

    /** Checks that exactly one of the two is set. */
    public WaitStatus {
        if ((exitCode < 0) == (signal <= 0) || exitCode > 255 || signal > 128) {
            throw new IllegalArgumentException("need an exit code 0..255 or a signal 1..128, got exit "
                    + exitCode + " and signal " + signal);
        }
    }

    /**
     * Decodes a raw status from {@code waitpid(2)}, as Perl's {@code $?} gives it.
     *
     * @param raw the status
     * @return the decoded status
     */
    public static WaitStatus fromWaitStatus(int raw) {
        int signal = raw & 0x7f;
        return signal != 0 ? new WaitStatus(-1, signal) : new WaitStatus((raw >> 8) & 0xff, 0);
    }

    /**
     * Decodes a shell's {@code $?}: above 128, the process was killed by signal {@code $? - 128}.
     *
     * @param code the value of {@code $?}, 0..255
     * @return the decoded status
     */
    public static WaitStatus fromShell(int code) {
        if (code < 0 || code > 255) {
            throw new IllegalArgumentException("a shell's $? is 0..255, was " + code);
        }
        return code > 128 ? new WaitStatus(-1, code - 128) : new WaitStatus(code, 0);
    }

    /** @return the exit code, if the process exited by itself */
    public OptionalInt exit() {
        return exitCode < 0 ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }

    /** @return the signal that ended the process, if one did */
    public OptionalInt killedBy() {
        return signal == 0 ? OptionalInt.empty() : OptionalInt.of(signal);
    }

    @Override
    public String toString() {
        return signal != 0 ? "signal " + Signals.describe(signal) : "exit " + exitCode;
    }
}
