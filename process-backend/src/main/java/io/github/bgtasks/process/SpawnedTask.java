package io.github.bgtasks.process;

import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** A task run by the helper. Signals go to its process group and session, never to a bare pid. */
final class SpawnedTask implements BackendTask {
    private final Spawner spawner;
    private final String key;
    private final Launch launch;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private volatile long pid;

    SpawnedTask(Spawner spawner, String key, Launch launch) {
        this.spawner = spawner;
        this.key = key;
        this.launch = launch;
    }

    void started(long pid) {
        this.pid = pid;
    }

    void exited(ExitStatus status) {
        exit.complete(status);
    }

    @Override
    public Launch launch() {
        return launch;
    }

    @Override
    public OptionalLong pid() {
        long p = pid;
        return p == 0 ? OptionalLong.empty() : OptionalLong.of(p);
    }

    @Override
    public CompletableFuture<ExitStatus> exit() {
        return exit;
    }

    @Override
    public void terminate() throws IOException {
        spawner.signal(key, "TERM");
    }

    @Override
    public void kill() throws IOException {
        spawner.signal(key, "KILL");
    }

    @Override
    public void send(byte[] bytes) throws IOException {
        if (exit.isDone()) {
            throw new IOException("the task has ended");
        }
        spawner.input(key, bytes);
    }

    @Override
    public void closeInput() throws IOException {
        spawner.closeInput(key);
    }

    @Override
    public void release() {
        spawner.forget(key);
    }

    @Override
    public String toString() {
        return "SpawnedTask{" + launch.id() + ", pid " + pid + "}";
    }
}
