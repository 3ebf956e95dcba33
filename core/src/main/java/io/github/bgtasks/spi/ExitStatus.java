package io.github.bgtasks.spi;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a task's own process ended: with an exit code, killed by a signal, or lost from sight.
 * The two are kept apart: a process killed by SIGTERM has signal 15 and no exit code, never
 * "exit code 143".
 *
 * <p>This class is immutable and thread-safe.
 */
public final class ExitStatus {
    private final int exitCode; // -1 when none
    private final int signal; // 0 when none
    private final String lostReason;
    private final boolean timedOut;

    private ExitStatus(int exitCode, int signal, String lostReason, boolean timedOut) {
        this.exitCode = exitCode;
        this.signal = signal;
        this.lostReason = lostReason;
        this.timedOut = timedOut;
    }

    /**
     * The process exited by itself.
     *
     * @param code its exit code, 0 to 255
     * @return the status
     */
    public static ExitStatus exited(int code) {
        if (code < 0 || code > 255) {
            throw new IllegalArgumentException("exit code must be 0..255, was " + code);
        }
        return new ExitStatus(code, 0, null, false);
    }

    /**
     * The process was ended by a signal.
     *
     * @param signal the signal number, such as 9 or 15
     * @return the status
     */
    public static ExitStatus signaled(int signal) {
        if (signal <= 0 || signal > 128) {
            throw new IllegalArgumentException("signal must be 1..128, was " + signal);
        }
        return new ExitStatus(-1, signal, null, false);
    }

    /**
     * The task's end could not be observed (its wrapper was killed, the tmux server died, the
     * machine rebooted).
     *
     * @param reason what happened, for people
     * @return the status
     */
    public static ExitStatus lost(String reason) {
        return new ExitStatus(-1, 0, Objects.requireNonNull(reason, "reason"), false);
    }

    /**
     * Marks that the backend itself ended the task because its timeout expired: a general
     * capability of backends that enforce {@link Launch#timeout()} where the task runs, so that
     * it holds while no JVM watches (tmux's wrapper, a cluster's time limit). The core then
     * reports the task as timed out, whatever signal ended it.
     *
     * @return a copy marked as timed out
     */
    public ExitStatus asTimedOut() {
        return new ExitStatus(exitCode, signal, lostReason, true);
    }

    /** @return the exit code, if the process exited by itself */
    public OptionalInt exitCode() {
        return exitCode < 0 ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }

    /** @return the signal that ended the process, if one did */
    public OptionalInt signal() {
        return signal == 0 ? OptionalInt.empty() : OptionalInt.of(signal);
    }

    /** @return why the task was lost from sight, if it was */
    public Optional<String> lostReason() {
        return Optional.ofNullable(lostReason);
    }

    /** @return whether the backend ended the task for its timeout */
    public boolean timedOut() {
        return timedOut;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExitStatus
                && ((ExitStatus) o).exitCode == exitCode
                && ((ExitStatus) o).signal == signal
                && ((ExitStatus) o).timedOut == timedOut
                && Objects.equals(((ExitStatus) o).lostReason, lostReason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(exitCode, signal, lostReason, timedOut);
    }

    @Override
    public String toString() {
        String s = lostReason != null ? "lost: " + lostReason
                : signal != 0 ? "signal " + signal : "exit " + exitCode;
        return timedOut ? s + " (timed out)" : s;
    }
}
