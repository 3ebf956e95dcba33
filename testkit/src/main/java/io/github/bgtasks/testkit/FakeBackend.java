package io.github.bgtasks.testkit;

import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory backend whose tasks end only when the test says so: for races and orderings
 * that real processes cannot reproduce on demand (a natural exit racing a stop, a launch caught
 * in the middle, a backend that throws). Tests of real processes belong in a backend's own
 * suite and in {@link BackendContract}. Subclass it to override one {@link Backend} method,
 * e.g. to fake a remote backend's environment or log store.
 *
 * <p>This class is thread-safe; its switches take effect for the next call.
 */
public class FakeBackend implements Backend {
    private final List<FakeTask> launched = new CopyOnWriteArrayList<>();
    private final List<BackendTask> discoverable = new CopyOnWriteArrayList<>();
    private final AtomicInteger launchesEntered = new AtomicInteger();
    private volatile boolean failTerminate;
    private volatile boolean exitOnTerminate;
    private volatile boolean failRelease;
    private volatile IOException failLaunch;
    private volatile Error launchError;
    private volatile CountDownLatch launchGate;

    /** Creates a backend with every switch off: launches succeed, tasks run until told to end. */
    public FakeBackend() {
    }

    /** @return {@code "fake"} */
    @Override
    public String name() {
        return "fake";
    }

    /**
     * Records the launch and returns a task that runs until the test completes its
     * {@link FakeTask#exit()}, after the switches below have had their say.
     */
    @Override
    public BackendTask launch(Launch launch) throws IOException {
        launchesEntered.incrementAndGet();
        IOException failure = failLaunch;
        if (failure != null) {
            throw failure;
        }
        Error error = launchError;
        if (error != null) {
            throw error;
        }
        CountDownLatch gate = launchGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while launching " + launch.id());
            }
        }
        FakeTask t = new FakeTask(launch);
        launched.add(t);
        return t;
    }

    /** @return the tasks added with {@link #addDiscoverable(BackendTask)}, as tasks of an earlier JVM */
    @Override
    public List<BackendTask> discover() {
        return List.copyOf(discoverable);
    }

    /** Does nothing: the fake holds no resources. */
    @Override
    public void close() {
    }

    /** @return the tasks launched so far, in order: a live, unmodifiable view */
    public List<FakeTask> launched() {
        return Collections.unmodifiableList(launched);
    }

    /** @return how many launches began, including those that failed or still wait at the gate */
    public int launchesEntered() {
        return launchesEntered.get();
    }

    /**
     * Adds a task that {@link #discover()} reports, as if an earlier JVM had started it.
     *
     * @param task the task, e.g. one returned by {@link #launch(Launch)} of this backend
     * @return this backend
     */
    public FakeBackend addDiscoverable(BackendTask task) {
        discoverable.add(java.util.Objects.requireNonNull(task, "task"));
        return this;
    }

    /**
     * @param fail whether {@link FakeTask#terminate()} throws an {@link IOException}
     * @return this backend
     */
    public FakeBackend failTerminate(boolean fail) {
        this.failTerminate = fail;
        return this;
    }

    /**
     * @param exit whether a task exits at its SIGTERM (signal 15), as most programs do; off by
     *     default, so a stop waits for the grace period and ends with SIGKILL
     * @return this backend
     */
    public FakeBackend exitOnTerminate(boolean exit) {
        this.exitOnTerminate = exit;
        return this;
    }

    /**
     * @param fail whether {@link FakeTask#release()} throws an {@link IllegalStateException}
     * @return this backend
     */
    public FakeBackend failRelease(boolean fail) {
        this.failRelease = fail;
        return this;
    }

    /**
     * @param failure what launches throw from now on, or {@code null} to let them succeed
     * @return this backend
     */
    public FakeBackend failLaunch(IOException failure) {
        this.failLaunch = failure;
        return this;
    }

    /**
     * @param error what launches throw from now on (a backend's bug, or the JVM's trouble), or
     *     {@code null} to let them succeed
     * @return this backend
     */
    public FakeBackend launchError(Error error) {
        this.launchError = error;
        return this;
    }

    /**
     * Makes launches wait until the latch opens: a launch caught in the middle. An interrupt
     * while waiting fails the launch with an {@link InterruptedIOException}.
     *
     * @param gate the latch to wait for, or {@code null} to launch at once
     * @return this backend
     */
    public FakeBackend launchGate(CountDownLatch gate) {
        this.launchGate = gate;
        return this;
    }

    /** A task that records the signals it gets and exits when the test completes {@link #exit()}. */
    public final class FakeTask implements BackendTask {
        private final Launch launch;
        private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        private final AtomicInteger terms = new AtomicInteger();
        private final AtomicInteger kills = new AtomicInteger();
        private final AtomicInteger releases = new AtomicInteger();

        FakeTask(Launch launch) {
            this.launch = launch;
        }

        /** @return the launch this task was started with */
        @Override
        public Launch launch() {
            return launch;
        }

        /** @return always 4242: a fake has no process */
        @Override
        public OptionalLong pid() {
            return OptionalLong.of(4242);
        }

        /** @return the future the test completes to end the task (the same instance each time) */
        @Override
        public CompletableFuture<ExitStatus> exit() {
            return exit;
        }

        /**
         * Counts a SIGTERM; exits with signal 15 if {@link FakeBackend#exitOnTerminate(boolean)}
         * is set.
         *
         * @throws IOException if {@link FakeBackend#failTerminate(boolean)} is set
         */
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

        /** Counts a SIGKILL and exits with signal 9. */
        @Override
        public void kill() {
            kills.incrementAndGet();
            exit.complete(ExitStatus.signaled(9));
        }

        /** Discards the input. */
        @Override
        public void send(byte[] bytes) {
        }

        /** Does nothing. */
        @Override
        public void closeInput() {
        }

        /**
         * Counts the release.
         *
         * @throws IllegalStateException if {@link FakeBackend#failRelease(boolean)} is set
         */
        @Override
        public void release() {
            releases.incrementAndGet();
            if (failRelease) {
                throw new IllegalStateException("release failed for the test");
            }
        }

        /** @return how many SIGTERMs the task got */
        public int terms() {
            return terms.get();
        }

        /** @return how many SIGKILLs the task got */
        public int kills() {
            return kills.get();
        }

        /** @return how many times the engine released the task */
        public int releases() {
            return releases.get();
        }
    }
}
