package io.github.bgtasks.process;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import io.github.bgtasks.internal.posix.PrivateFiles;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state directory of detached tasks, shared by every JVM of the user: one directory
 * {@code tasks/<run id>} per task, holding its {@link TaskRecord}. It must be the user's own and
 * closed to others (mode 0700): it names every detached task's command, and whoever could write
 * to it could make a later JVM signal another process. This class is thread-safe.
 */
final class StateDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(StateDirectory.class);

    private final Path dir;
    private final Path tasks;
    /** The records this backend owns (their lock is held here): released on close. */
    private final Set<TaskRecord> owned = ConcurrentHashMap.newKeySet();

    private StateDirectory(Path dir) {
        this.dir = dir;
        this.tasks = dir.resolve("tasks");
    }

    /**
     * @return {@code $XDG_STATE_HOME/bgtasks/process}, or {@code ~/.local/state/bgtasks/process}
     *     when that variable is unset or not an absolute path (as the XDG base directory spec says)
     */
    static Path defaultPath(Map<String, String> env, String home) {
        String xdg = env.get("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(home, ".local", "state");
        return base.resolve("bgtasks").resolve("process");
    }

    /**
     * Opens the directory, creating it (mode 0700) if missing.
     *
     * @throws IllegalArgumentException if it, or {@code tasks/} in it, is not a directory of
     *     the user's own with mode 0700, or its parent can be written by others (and is not sticky)
     */
    static StateDirectory open(Path configured) {
        Path dir = configured.toAbsolutePath().normalize();
        requirePrivate(dir.getParent(), true);
        requirePrivate(dir, false);
        StateDirectory s = new StateDirectory(dir);
        requirePrivate(s.tasks, false);
        return s;
    }

    /** The same rule as the tmux backend's state directory: private, and in a parent no one else can change. */
    private static void requirePrivate(Path dir, boolean parent) {
        try {
            PrivateFiles.createDirectory(dir);
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, NOFOLLOW_LINKS);
            if (!a.isDirectory()) {
                throw new IllegalArgumentException("the state directory " + (parent ? "parent " : "") + dir
                        + " exists but is not a directory (or is a symbolic link)");
            }
            int mode = (Integer) Files.getAttribute(dir, "unix:mode", NOFOLLOW_LINKS); // shows the sticky bit
            boolean mine = PrivateFiles.isOurs(dir, a);
            boolean ok = parent ? (mine && (mode & 022) == 0) || (mode & 01000) != 0 : mine && (mode & 077) == 0;
            if (!ok) {
                throw new IllegalArgumentException((parent ? "the parent of the state directory, " : "the state directory ")
                        + dir + ", is not private to " + PrivateFiles.me() + " (owner " + a.owner().getName()
                        + ", mode " + Integer.toOctalString(mode & 07777) + "); the records of detached tasks are kept"
                        + " there, so it must be a directory of your own that no one else can "
                        + (parent ? "write to (chmod go-w " : "read or write (chmod 700 ") + dir
                        + "), or choose another with ProcessBackend.detached(Path)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the state directory " + dir + ": " + e, e);
        }
    }

    /** @return the directory, absolute */
    Path path() {
        return dir;
    }

    /**
     * Records a task about to start, owned (locked) by this backend: in {@code tasks/<id>}, or
     * {@code <id>~n} if an earlier run of another log directory took that name.
     */
    TaskRecord create(Launch launch, long helperPid, long helperStart) throws IOException {
        for (int n = 1; ; n++) {
            Path d = tasks.resolve(n == 1 ? launch.id() : launch.id() + "~" + n);
            try {
                Files.createDirectory(d, PrivateFiles.OWNER_ONLY_DIRECTORY);
            } catch (FileAlreadyExistsException e) {
                continue;
            }
            return TaskRecord.create(d, launch, helperPid, helperStart, owned);
        }
    }

    /**
     * Reads every record that no backend of this JVM watches, oldest first, taking over those
     * whose owner has gone (exactly one JVM wins each: the lock is the claim).
     */
    List<TaskRecord> scan() throws IOException {
        List<TaskRecord> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tasks)) {
            for (Path d : dirs) {
                if (TaskRecord.heldHere(d) || !TaskRecord.exists(d)) {
                    continue; // this JVM watches it, or it is being created right now
                }
                try {
                    TaskRecord r = TaskRecord.read(d, owned);
                    r.takeOver();
                    found.add(r);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("ignoring the unreadable detached task record in {}: {}", d, e.toString());
                }
            }
        }
        found.sort(Comparator.comparing(r -> r.launch().startedAt()));
        return found;
    }

    /** Gives up the records this backend owns, leaving them for the next JVM; their tasks run on. */
    void close() {
        for (TaskRecord r : List.copyOf(owned)) {
            r.unlock();
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
