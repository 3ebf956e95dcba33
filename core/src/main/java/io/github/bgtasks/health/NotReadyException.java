package io.github.bgtasks.health;

import java.util.List;

/**
 * Fails {@code TaskHandle.onReady()}: the task ended before its readiness held, or the deadline
 * passed. The message names the task, the conditions still waited for and the task's last lines.
 */
public final class NotReadyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @serial the task's last lines when readiness failed */
    private final List<String> lastLines;

    /**
     * @param message what happened, for people
     * @param lastLines the task's last lines of output
     */
    public NotReadyException(String message, List<String> lastLines) {
        super(message);
        this.lastLines = List.copyOf(lastLines);
    }

    /** @return the task's last lines of output when readiness failed */
    public List<String> lastLines() {
        return lastLines;
    }
}
