package io.github.bgtasks.process;

import io.github.bgtasks.internal.posix.DaemonThreads;
import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process backend's Perl helper strategy: runs tasks through one {@link Helper} ({@code spawner.pl}) at a time.
 * If the helper dies, its tasks are ended and reported LOST, and the next start runs a new
 * helper (lazily: a broken Perl then fails that start, not a background loop).
 */
final class Spawner implements Backend {
    /**
     * Limits, package-private so that tests can shorten them.
     *
     * @param readyLimit how long perl may take to say it is ready before it counts as wedged
     * @param startLimit how long a start waits for the helper's answer
     * @param inputBound how many bytes sent to a task may wait in the helper, unacknowledged
     * @param inputWait how long a send waits for the task to read, without any progress
     */
    record Settings(Duration readyLimit, Duration startLimit, long inputBound, Duration inputWait) {
        static final Settings DEFAULTS = new Settings(Duration.ofSeconds(60), Duration.ofSeconds(30),
                1024 * 1024, Duration.ofSeconds(30));

        Settings {
            Objects.requireNonNull(readyLimit, "readyLimit");
            Objects.requireNonNull(startLimit, "startLimit");
            Objects.requireNonNull(inputWait, "inputWait");
        }
    }

    private final Path perl;
    private final Settings settings;
    /** Where detached tasks are recorded; null if this backend's tasks end with the JVM. */
    private final StateDirectory state;
    private final ExitWatcher adopted = new ExitWatcher();
    /**
     * Completes exit futures and sends follow-up requests off the reader thread, so that no
     * user code runs there: one thread at most, and none while idle.
     */
    private final ThreadPoolExecutor completer;
    private final AtomicLong keys = new AtomicLong();
    private final Object lock = new Object();
    // guarded by lock
    private Helper current;
    private final List<Helper> dead = new ArrayList<>();
    private boolean closed;

    Spawner(Path perl) throws IOException {
        this(perl, Settings.DEFAULTS, null);
    }

    Spawner(Path perl, Settings settings) throws IOException {
        this(perl, settings, null);
    }

    /** @param state where detached tasks are recorded, or null: then tasks end with the JVM */
    Spawner(Path perl, Settings settings, StateDirectory state) throws IOException {
        this.perl = perl;
        this.settings = settings;
        this.state = state;
        this.completer = new ThreadPoolExecutor(0, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                DaemonThreads.factory("bgtasks-process-exits"));
        this.current = Helper.start(perl, settings, completer); // at once: a broken Perl fails create()
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    public BackendTask launch(Launch launch) throws IOException {
        String key = "t" + keys.incrementAndGet();
        try {
            return launch(helper(), launch, key);
        } catch (Helper.HelperGone e) {
            // The request never reached a helper (it had died): one new helper gets it.
            return launch(helper(), launch, key);
        }
    }

    private BackendTask launch(Helper h, Launch launch, String key) throws IOException {
        if (state == null) {
            return h.launch(launch, key, null);
        }
        TaskRecord record = state.create(launch, h.pid(), h.startTicks());
        try {
            return h.launch(launch, key, record);
        } catch (IOException | RuntimeException e) {
            record.delete(); // it never ran
            throw e;
        }
    }

    /**
     * Finds the detached tasks in the state directory that no backend of this JVM watches:
     * running, or ended (with the exit status their helper recorded) but not yet released.
     */
    @Override
    public List<BackendTask> discover() throws IOException {
        if (state == null) {
            return List.of();
        }
        List<BackendTask> found = new ArrayList<>();
        for (TaskRecord r : state.scan()) {
            AdoptedTask t = new AdoptedTask(r);
            adopted.watch(t);
            found.add(t);
        }
        return found;
    }

    /** Detached tasks run on when their {@code BackgroundTasks} closes; a later one finds them. */
    @Override
    public boolean keepsTasksOnClose() {
        return state != null;
    }

    /** @return the running helper, started anew if the last one died */
    private Helper helper() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IOException("the process backend is closed");
            }
            if (current.broken()) {
                dead.add(current);
                current = Helper.start(perl, settings, completer);
            }
            return current;
        }
    }

    /** @return the current helper's pid (for tests) */
    long helperPid() {
        synchronized (lock) {
            return current.pid();
        }
    }

    /** @return how many actions were ever handed to the completer (for tests) */
    long completerTasks() {
        return completer.getTaskCount();
    }

    /** @return how many tasks the current helper tracks (for tests) */
    int tracked() {
        synchronized (lock) {
            return current.tracked();
        }
    }

    @Override
    public void close() {
        Helper h;
        List<Helper> crashed;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            h = current;
            crashed = List.copyOf(dead);
        }
        boolean hCrashed = h.crashed();
        h.close();
        if (hCrashed) {
            h.awaitFinished();
        }
        crashed.forEach(Helper::awaitFinished);
        adopted.close();
        if (state != null) {
            state.close(); // the records stay: the next JVM takes them over
        }
    }

    /** @return a duration for people: "30 s", "250 ms" */
    static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
