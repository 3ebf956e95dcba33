package io.github.bgtasks;

import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory backend whose tasks end only when the test says so: for the state machine's
 * races and orderings, which real processes cannot reproduce on demand. Everything about real
 * processes is tested through the backends' own suites.
 */
class FakeBackend implements Backend {
    final List<FakeTask> launched = new CopyOnWriteArrayList<>();
    final List<BackendTask> discoverable = new CopyOnWriteArrayList<>();
    volatile boolean failTerminate;
    /** When set, a task exits at its SIGTERM (signal 15), as most programs do. */
    volatile boolean exitOnTerminate;
    /** When set, launches fail with it. */
    volatile IOException failLaunch;
    /** When set, launches throw it: a backend's bug, or the JVM's trouble. */
    volatile Error launchError;
    /** When set, releases throw. */
    volatile boolean failRelease;
    /** When set, launches wait for it: a launch caught in the middle. */
    volatile CountDownLatch launchGate;
    final AtomicInteger launchesEntered = new AtomicInteger();

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public BackendTask launch(Launch launch) throws IOException {
        launchesEntered.incrementAndGet();
        if (failLaunch != null) {
            throw failLaunch;
        }
        if (launchError != null) {
            throw launchError;
        }
        CountDownLatch gate = launchGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while launching " + launch.id());
            }
        }
        FakeTask t = new FakeTask(launch);
        launched.add(t);
        return t;
    }

    @Override
    public List<BackendTask> discover() {
        return List.copyOf(discoverable);
    }

    @Override
    public void close() {
    }

    /** A task that records the signals it gets and exits when told to. */
    final class FakeTask implements BackendTask {
        final Launch launch;
        final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        final AtomicInteger terms = new AtomicInteger();
        final AtomicInteger kills = new AtomicInteger();
        final AtomicInteger releases = new AtomicInteger();

        FakeTask(Launch launch) {
            this.launch = launch;
        }

        @Override
        public Launch launch() {
            return launch;
        }

        @Override
        public OptionalLong pid() {
            return OptionalLong.of(4242);
        }

        @Override
        public CompletableFuture<ExitStatus> exit() {
            return exit;
        }

        @Override
        public void terminate() throws IOException {
            terms.incrementAndGet();
            if (failTerminate) {
                throw new IOException("terminate failed for the test");
            }
            if (exitOnTerminate) {
                exit.complete(ExitStatus.signaled(15));
            }
        }

        @Override
        public void kill() {
            kills.incrementAndGet();
            exit.complete(ExitStatus.signaled(9));
        }

        @Override
        public void send(byte[] bytes) {
        }

        @Override
        public void closeInput() {
        }

        @Override
        public void release() {
            releases.incrementAndGet();
            if (failRelease) {
                throw new IllegalStateException("release failed for the test");
            }
        }
    }
}
