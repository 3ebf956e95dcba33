package io.github.bgtasks.ssh.internal;

import java.io.IOException;

/** A failed ssh call: ssh could not connect (status 255), or the remote script failed. */
public final class SshException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String output;

    SshException(String destination, int status, String error, String output) {
        super(status == 255 ? "ssh to " + destination + " failed: " + (error.isEmpty() ? "status 255" : error)
                : error.isEmpty() ? "a command on " + destination + " failed with status " + status : error);
        this.status = status;
        this.output = output;
    }

    /** @return whether ssh itself failed (could not connect, was refused, or was cut off) */
    public boolean connectionFailed() {
        return status == 255 || status == 137 || status == 143;
    }

    /** @return the exit status of ssh: the remote script's, or 255 */
    public int status() {
        return status;
    }

    /** @return what the script wrote to standard output before it failed */
    String output() {
        return output;
    }
}
