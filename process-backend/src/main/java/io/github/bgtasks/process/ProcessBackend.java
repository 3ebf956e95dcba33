package io.github.bgtasks.process;

import io.github.bgtasks.spi.Backend;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The plain-process backend: each task is an OS process in its own session and process group,
 * so that stopping it reaches its whole tree, with its output going straight into its log file.
 *
 * <p>Tasks are started and reaped by one small helper process per backend, a Perl script that
 * ships inside this jar (Perl is part of every Debian, Ubuntu, RHEL and macOS base system).
 * The JVM only exchanges short messages with it, so a thousand running tasks cost the JVM no
 * thread each: one thread reads the helper's replies for all tasks. If the JVM dies without
 * closing the backend, the helper stops every task (SIGTERM, grace period, SIGKILL) and exits,
 * so no task is left behind, even after {@code kill -9} of the JVM. If the helper itself dies,
 * the JVM ends its tasks through their sessions (SIGTERM, grace period, SIGKILL), reports them
 * LOST, logs the loss once, and starts a new helper for the next task.
 *
 * <p>Input sent to a task waits in the helper until the task reads it, up to 1 MiB per task;
 * beyond that, sending waits for the task to read, and fails after 30 s without progress.
 *
 * <p>This class is thread-safe; so are the backends it creates.
 */
public final class ProcessBackend {
    private ProcessBackend() {
    }

    /**
     * Creates a process backend and starts its helper process.
     *
     * @return the backend, to pass to {@code BackgroundTasks.builder().backend(...)}
     * @throws IllegalStateException if Perl cannot be found on {@code PATH}
     * @throws UncheckedIOException if the helper could not be started; the message names the
     *     {@code perl} program, its exit status or signal, and what it printed on stderr (a perl
     *     that does not answer within 60 s is killed and reported as wedged)
     */
    public static Backend create() {
        try {
            return new Spawner(Perl.find());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the bgtasks process helper: " + e.getMessage(), e);
        }
    }
}
