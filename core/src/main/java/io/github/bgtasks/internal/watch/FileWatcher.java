package io.github.bgtasks.internal.watch;

import io.github.bgtasks.internal.posix.DaemonThreads;
import io.github.bgtasks.watch.WatchSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystem;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches files for every watching task of an instance: one {@link WatchService} and one daemon
 * thread ({@code bgtasks-watch}) per file system, created at the first watch, however many tasks
 * watch. Each {@link Registration} filters the events of its directories and debounces them on
 * the instance's scheduler, in the instance's time, so that a test can move time.
 *
 * <p><b>Not API:</b> public only for the core's packages. This class is thread-safe: the
 * directory maps are guarded by {@link #lock}; no callback runs under it.
 */
public final class FileWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileWatcher.class);

    /** Runs an action after a delay, as the instance's scheduler does. */
    @FunctionalInterface
    public interface Scheduler {
        /**
         * @param action what to run
         * @param delayNanos after how long
         * @return the timer, to cancel
         */
        Future<?> schedule(Runnable action, long delayNanos);
    }

    private final Scheduler scheduler;
    private final LongSupplier ticker;
    private final Object lock = new Object();
    // guarded by lock
    private final Map<FileSystem, Loop> loops = new HashMap<>();
    private final Map<WatchKey, Path> keyDirs = new HashMap<>();
    private final Map<Path, WatchKey> dirKeys = new HashMap<>();
    private final Map<Path, Set<Registration>> watchers = new HashMap<>();
    private boolean closed;

    /**
     * @param scheduler the instance's scheduler, for the debounce
     * @param ticker the instance's time in nanoseconds
     */
    public FileWatcher(Scheduler scheduler, LongSupplier ticker) {
        this.scheduler = scheduler;
        this.ticker = ticker;
    }

    /**
     * Starts watching.
     *
     * @param spec what to watch; relative paths against the working directory
     * @param ignored a directory whose changes never count (the instance's logs)
     * @param onChange told, after the debounce, which files changed
     * @return the registration, to close when the watching ends
     * @throws IllegalArgumentException if a path does not exist
     * @throws UncheckedIOException if a directory cannot be watched
     */
    public Registration watch(WatchSpec spec, Path ignored, Consumer<Set<Path>> onChange) {
        List<Path> roots = new ArrayList<>();
        for (Path p : spec.paths()) {
            Path abs = p.toAbsolutePath().normalize();
            if (!Files.exists(abs)) {
                throw new IllegalArgumentException("watched path " + abs + " does not exist; create it, or watch "
                        + "the directory it will appear in");
            }
            roots.add(abs);
        }
        Registration r = new Registration(spec, roots, ignored.toAbsolutePath().normalize(), onChange);
        try {
            for (Path root : roots) {
                if (Files.isDirectory(root)) {
                    addTree(r, root);
                } else {
                    add(r, root.getParent()); // a single file: its directory, filtered to it
                }
            }
        } catch (IOException e) {
            r.close();
            throw new UncheckedIOException("could not watch " + spec.paths() + ": " + e, e);
        }
        return r;
    }

    /** Adds a directory and, if the watch is recursive, the directories below it that count. */
    private void addTree(Registration r, Path dir) throws IOException {
        if (!r.spec.recursive()) {
            add(r, dir);
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (!d.equals(dir) && r.skipsDirectory(d)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                add(r, d);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // gone meanwhile, or unreadable: not watched
            }
        });
    }

    private void add(Registration r, Path dir) throws IOException {
        synchronized (lock) {
            if (closed || r.closed) {
                return;
            }
            WatchKey key = dirKeys.get(dir);
            if (key == null) {
                Loop loop = loops.computeIfAbsent(dir.getFileSystem(), this::newLoop);
                key = dir.register(loop.service, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
                dirKeys.put(dir, key);
                keyDirs.put(key, dir);
            }
            watchers.computeIfAbsent(dir, d -> new HashSet<>()).add(r);
            r.dirs.add(dir);
        }
    }

    private Loop newLoop(FileSystem fs) {
        try {
            Loop loop = new Loop(fs.newWatchService());
            DaemonThreads.start("bgtasks-watch", loop);
            return loop;
        } catch (IOException e) {
            throw new UncheckedIOException("could not watch files on " + fs + ": " + e, e);
        }
    }

    private void remove(Registration r) {
        synchronized (lock) {
            for (Path dir : r.dirs) {
                Set<Registration> set = watchers.get(dir);
                if (set != null && set.remove(r) && set.isEmpty()) {
                    watchers.remove(dir);
                    WatchKey key = dirKeys.remove(dir);
                    if (key != null) {
                        keyDirs.remove(key);
                        key.cancel();
                    }
                }
            }
            r.dirs.clear();
        }
    }

    /** Stops every watch and the threads. */
    @Override
    public void close() {
        List<Loop> all;
        synchronized (lock) {
            closed = true;
            all = new ArrayList<>(loops.values());
            loops.clear();
        }
        for (Loop l : all) {
            try {
                l.service.close();
            } catch (IOException e) {
                LOG.debug("closing a watch service failed", e);
            }
        }
    }

    /** @return how many registrations watch at least one directory; for tests */
    public int registrations() {
        Set<Registration> all = new HashSet<>();
        synchronized (lock) {
            watchers.values().forEach(all::addAll);
        }
        return all.size();
    }

    /** @return the changes seen and not yet passed on, over all registrations; for tests */
    public int pendingChanges() {
        Set<Registration> all = new HashSet<>();
        synchronized (lock) {
            watchers.values().forEach(all::addAll);
        }
        return all.stream().mapToInt(Registration::pending).sum();
    }

    private void dispatch(WatchKey key) {
        Path dir;
        List<Registration> regs;
        synchronized (lock) {
            dir = keyDirs.get(key);
            regs = dir == null ? List.of() : new ArrayList<>(watchers.getOrDefault(dir, Set.of()));
        }
        for (WatchEvent<?> e : key.pollEvents()) {
            if (dir == null) {
                continue;
            }
            if (e.kind() == StandardWatchEventKinds.OVERFLOW) {
                regs.forEach(r -> r.changed(dir)); // events were lost: something changed
                continue;
            }
            Path child = dir.resolve((Path) e.context());
            for (Registration r : regs) {
                if (e.kind() == StandardWatchEventKinds.ENTRY_CREATE && r.spec.recursive() && r.coversTree(dir)
                        && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS) && !r.skipsDirectory(child)) {
                    try {
                        addTree(r, child); // a new directory: watch it, and count what it holds already
                    } catch (IOException ex) {
                        LOG.debug("could not watch the new directory {}", child, ex);
                    }
                }
                if (r.counts(child)) {
                    r.changed(child);
                }
            }
        }
        if (!key.reset()) {
            synchronized (lock) {
                Path gone = keyDirs.remove(key);
                if (gone != null) {
                    dirKeys.remove(gone);
                    watchers.remove(gone);
                }
            }
        }
    }

    /** The thread of one watch service. */
    private final class Loop implements Runnable {
        final WatchService service;

        Loop(WatchService service) {
            this.service = service;
        }

        @Override
        public void run() {
            while (true) {
                WatchKey key;
                try {
                    key = service.take();
                } catch (InterruptedException | ClosedWatchServiceException e) {
                    return;
                }
                try {
                    dispatch(key);
                } catch (RuntimeException e) {
                    LOG.warn("file watching: an event could not be handled", e);
                }
            }
        }
    }

    /** One watching task: its filter and its debounce. */
    public final class Registration implements AutoCloseable {
        final WatchSpec spec;
        private final List<Path> roots;
        private final Path ignored;
        private final Consumer<Set<Path>> onChange;
        private final Globs globs;
        private final long debounceNanos;
        final Set<Path> dirs = new HashSet<>(); // guarded by FileWatcher.this.lock
        // guarded by this
        private final Set<Path> pending = new LinkedHashSet<>();
        private long lastChange;
        private Future<?> timer;
        volatile boolean closed;

        Registration(WatchSpec spec, List<Path> roots, Path ignored, Consumer<Set<Path>> onChange) {
            this.spec = spec;
            this.roots = roots;
            this.ignored = ignored;
            this.onChange = onChange;
            this.globs = new Globs(spec);
            this.debounceNanos = spec.debounce().toNanos();
        }

        /** Whether a directory below a root is left out (logs, build outputs, excluded). */
        boolean skipsDirectory(Path d) {
            if (d.startsWith(ignored)) {
                return true;
            }
            Path root = rootOf(d);
            return root == null || globs.skipsDirectory(root.relativize(d));
        }

        /** Whether new directories under {@code dir} belong to this watch. */
        boolean coversTree(Path dir) {
            Path root = rootOf(dir);
            return root != null && Files.isDirectory(root);
        }

        /** Whether a changed file counts. */
        boolean counts(Path file) {
            if (file.startsWith(ignored)) {
                return false;
            }
            Path root = rootOf(file);
            if (root == null) {
                return false;
            }
            if (!Files.isDirectory(root)) {
                return file.equals(root); // a watched file: only itself
            }
            return globs.counts(root.relativize(file));
        }

        private Path rootOf(Path p) {
            for (Path root : roots) {
                if (p.startsWith(root) || (!Files.isDirectory(root) && p.equals(root))) {
                    return root;
                }
            }
            for (Path root : roots) {
                if (!Files.isDirectory(root) && root.getParent().equals(p)) {
                    return root; // the directory of a watched file
                }
            }
            return null;
        }

        synchronized void changed(Path p) {
            if (closed) {
                return;
            }
            pending.add(p);
            lastChange = ticker.getAsLong();
            if (timer == null) {
                timer = scheduler.schedule(this::quiet, debounceNanos);
            }
        }

        /** The debounce timer: fires once the files have been quiet long enough, else waits the rest. */
        private void quiet() {
            Set<Path> batch;
            synchronized (this) {
                timer = null;
                if (closed) {
                    return;
                }
                long quietFor = ticker.getAsLong() - lastChange;
                if (quietFor < debounceNanos) {
                    timer = scheduler.schedule(this::quiet, debounceNanos - quietFor);
                    return;
                }
                batch = Set.copyOf(pending);
                pending.clear();
            }
            try {
                onChange.accept(batch);
            } catch (RuntimeException e) {
                LOG.warn("file watching: a restart after changes to {} failed", batch, e);
            }
        }

        synchronized int pending() {
            return pending.size();
        }

        /** Stops this watch: no callback after it returns, except one that already runs. */
        @Override
        public void close() {
            synchronized (this) {
                closed = true;
                if (timer != null) {
                    timer.cancel(false);
                    timer = null;
                }
            }
            remove(this);
        }
    }
}
