package io.github.bgtasks.tmux.internal;

import java.io.IOException;

/** A failed tmux call; tells the common causes apart by tmux's message. */
final class TmuxException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String stderr;
    private final boolean timedOut;
    private final boolean wedged;
    private final boolean unanswered;

    TmuxException(String message, String stderr, boolean timedOut, boolean wedged) {
        this(message, stderr, timedOut, wedged, false);
    }

    private TmuxException(String message, String stderr, boolean timedOut, boolean wedged, boolean unanswered) {
        super(message);
        this.stderr = stderr;
        this.timedOut = timedOut;
        this.wedged = wedged;
        this.unanswered = unanswered;
    }

    /** A command sent through the keeper's control client, which ended before it answered. */
    static TmuxException unanswered(String message) {
        return new TmuxException(message, "", false, false, true);
    }

    /**
     * @return whether the keeper's control client ended before it answered: the command may have
     *     been carried out or not, and repeating it through a tmux client of its own is safe only
     *     once the caller has looked
     */
    boolean unanswered() {
        return unanswered;
    }

    /** @return whether the call was given up without an answer: the server may still carry it out */
    boolean timedOut() {
        return timedOut;
    }

    /** @return whether it was given up because nothing moved (rather than after the overall limit) */
    boolean wedged() {
        return wedged;
    }

    /** @return whether a session of that name exists already */
    boolean duplicateSession() {
        return stderr.contains("duplicate session");
    }

    /** @return whether no server runs on the socket (never started, exited, or killed) */
    boolean noServer() {
        return stderr.contains("no server running") || stderr.contains("error connecting to")
                || stderr.contains("server exited unexpectedly");
    }

    /** @return whether the targeted session does not exist */
    boolean noSession() {
        return stderr.contains("can't find") || stderr.contains("no such session");
    }
}
