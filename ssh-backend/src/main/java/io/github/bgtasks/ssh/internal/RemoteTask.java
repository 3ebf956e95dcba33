package io.github.bgtasks.ssh.internal;

import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * One task on a remote host, in its own tmux session there, named as the task. Its pid is the
 * wrapper's on the remote host. Its end comes from the host's event stream. This class is
 * thread-safe.
 */
public final class RemoteTask implements BackendTask {
    private final RemoteHost host;
    private final Launch launch;
    private final String tag;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private volatile long pid;
    private volatile boolean stopRequested;
    private volatile boolean inputClosed;

    RemoteTask(RemoteHost host, Launch launch, String tag) {
        this.host = host;
        this.launch = launch;
        this.tag = tag;
    }

    void identify(long wrapperPid) {
        this.pid = wrapperPid;
    }

    String tag() {
        return tag;
    }

    long remotePid() {
        return pid;
    }

    boolean stopRequested() {
        return stopRequested;
    }

    /** @return whether this call completed the task (the first one does) */
    boolean complete(ExitStatus s) {
        return exit.complete(s);
    }

    /** @return the host the task runs on */
    public String host() {
        return host.destination();
    }

    @Override
    public Launch launch() {
        return launch;
    }

    /** @return the pid of the task's wrapper on the remote host */
    @Override
    public OptionalLong pid() {
        long p = pid;
        return p > 0 ? OptionalLong.of(p) : OptionalLong.empty();
    }

    @Override
    public CompletableFuture<ExitStatus> exit() {
        return exit;
    }

    /** SIGTERM to the wrapper on the host, which forwards it once to the task's process group. */
    @Override
    public void terminate() throws IOException {
        stopRequested = true;
        if (!exit.isDone()) {
            host.terminate(this);
        }
    }

    /** SIGKILL to the command on the host; its wrapper records signal 9 and sweeps the group. */
    @Override
    public void kill() throws IOException {
        stopRequested = true;
        if (!exit.isDone()) {
            host.kill(this);
        }
    }

    /** Types the bytes into the pane on the host, byte-exact ({@code send-keys -H}); the pane is a terminal. */
    @Override
    public void send(byte[] bytes) throws IOException {
        if (inputClosed) {
            throw new IOException("the input of task " + launch.id() + " was closed");
        }
        if (exit.isDone()) {
            throw new IOException("task " + launch.id() + " has ended");
        }
        host.send(this, bytes);
    }

    /** Types ^D, as the tmux backend does. */
    @Override
    public void closeInput() throws IOException {
        if (inputClosed || exit.isDone()) {
            inputClosed = true;
            return;
        }
        send(new byte[] {4});
        inputClosed = true;
    }

    /** @return {@code ssh -t <host> 'tmux -L <socket> attach -t =<name>'}, with the backend's ssh options */
    @Override
    public Optional<String> attachCommand() {
        return Optional.of(host.attachCommand(this));
    }

    @Override
    public void release() {
        host.release(this);
    }

    @Override
    public String toString() {
        return "RemoteTask{" + launch.id() + " on " + host + (exit.isDone() ? " ended" : " running") + "}";
    }
}
