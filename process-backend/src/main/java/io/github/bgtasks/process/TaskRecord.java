package io.github.bgtasks.process;

import io.github.bgtasks.internal.posix.PrivateFiles;
import io.github.bgtasks.internal.posix.ProcStat;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.internal.records.LaunchProperties;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the state directory keeps of one detached task, in its own directory:
 * <ul>
 * <li>{@code task.properties}, written by the JVM that started it: its launch (without the
 *     environment, which can hold secrets) and the helper that runs it (pid and start time);
 * <li>{@code started} and {@code exit}, written by the helper (see {@code spawner.pl}), so that
 *     the end of a task is recorded even when no JVM is alive to hear it;
 * <li>{@code owner.lock}, locked by the one JVM that owns the record: it may delete it once the
 *     task has ended and been reported. The kernel drops the lock when that JVM dies, and the
 *     first JVM to lock it then takes the record over: the lock is the claim, so two JVMs never
 *     both own a record, and a record is never deleted while another JVM still owns it.
 * </ul>
 * Every file is written whole under a temporary name and renamed. This class is thread-safe.
 */
final class TaskRecord {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRecord.class);
    private static final String FILE = "task.properties";
    private static final String LOCK = "owner.lock";
    /**
     * The locks this JVM holds, by record directory. A POSIX lock cannot be probed from the JVM
     * that holds it (closing the probe's descriptor would drop it), so this JVM asks here first.
     */
    private static final Map<Path, FileChannel> HELD = new ConcurrentHashMap<>();
    /**
     * This boot's id: pids and start times (clock ticks after boot) tell processes apart only
     * within one boot, so a record of an earlier boot names no process that runs now.
     */
    private static final String BOOT_ID = bootId();

    private final Path dir;
    private final Launch launch;
    private final long helperPid;
    private final long helperStart;
    private final boolean sameBoot;
    /** The records of the backend that found or made this one which it owns: it gives them up on close. */
    private final Set<TaskRecord> ownedSet;
    private volatile boolean owned;

    private TaskRecord(Path dir, Launch launch, long helperPid, long helperStart, boolean sameBoot,
            Set<TaskRecord> ownedSet) {
        this.dir = dir;
        this.sameBoot = sameBoot;
        this.ownedSet = ownedSet;
        this.launch = launch;
        this.helperPid = helperPid;
        this.helperStart = helperStart;
    }

    /** Locks the new, empty directory, then writes the record: no other JVM ever takes over a half-made one. */
    static TaskRecord create(Path dir, Launch l, long helperPid, long helperStart, Set<TaskRecord> ownedSet)
            throws IOException {
        TaskRecord r = new TaskRecord(dir, l, helperPid, helperStart, true, ownedSet);
        if (!r.takeOver()) {
            throw new IOException("could not lock the new task record " + dir);
        }
        Properties p = new Properties();
        LaunchProperties.put(l, p);
        p.setProperty("helperPid", Long.toString(helperPid));
        p.setProperty("helperStart", Long.toString(helperStart));
        p.setProperty("bootId", BOOT_ID);
        StringWriter w = new StringWriter();
        p.store(w, "bgtasks detached process task");
        PrivateFiles.writeAtomically(dir.resolve(FILE), w.toString());
        return r;
    }

    static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE), LinkOption.NOFOLLOW_LINKS);
    }

    static boolean heldHere(Path dir) {
        return HELD.containsKey(dir);
    }

    static TaskRecord read(Path dir, Set<TaskRecord> ownedSet) throws IOException {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(dir.resolve(FILE), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Launch l = LaunchProperties.launch(p);
        return new TaskRecord(dir, l, Long.parseLong(p.getProperty("helperPid")),
                Long.parseLong(p.getProperty("helperStart")), BOOT_ID.equals(p.getProperty("bootId", BOOT_ID)), ownedSet);
    }

    Path dir() {
        return dir;
    }

    Launch launch() {
        return launch;
    }

    long helperPid() {
        return helperPid;
    }

    /** @return whether this JVM owns the record */
    boolean owned() {
        return owned;
    }

    /** @return whether the task was started since the machine last booted: only then may its pids be its own */
    boolean sameBoot() {
        return sameBoot;
    }

    /** @return whether the helper that runs the task is still alive (the same process, not a reused pid) */
    boolean helperAlive() {
        return sameBoot && ProcStat.read(helperPid).filter(s -> s.startTime() == helperStart && !s.isZombie()).isPresent();
    }

    /** @return the pid of the task's own process and its start time, once the helper recorded its start */
    Optional<long[]> started() {
        return readSmall("started").map(s -> {
            String[] f = s.trim().split(" ");
            return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
        });
    }

    /** @return the exit the helper recorded, once the task's own process has ended */
    Optional<ExitStatus> exit() {
        return readSmall("exit").map(s -> {
            String[] f = s.trim().split(" ");
            int n = Integer.parseInt(f[1]);
            ExitStatus status = f[0].equals("k") ? ExitStatus.signaled(n) : ExitStatus.exited(n);
            return f.length > 2 && f[2].equals("timeout") ? status.asTimedOut() : status;
        });
    }

    private Optional<String> readSmall(String name) {
        try {
            return Optional.of(Files.readString(dir.resolve(name), StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.debug("could not read {}", dir.resolve(name), e);
            return Optional.empty();
        }
    }

    /**
     * Takes the record's lock, if no JVM holds it.
     *
     * @return whether this JVM owns the record now
     */
    synchronized boolean takeOver() {
        if (owned) {
            return true;
        }
        synchronized (HELD) {
            if (HELD.containsKey(dir)) {
                return false;
            }
            FileChannel c = null;
            try {
                c = FileChannel.open(dir.resolve(LOCK), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS), PrivateFiles.OWNER_ONLY_FILE);
                FileLock l = c.tryLock();
                if (l == null) {
                    c.close();
                    return false;
                }
                HELD.put(dir, c);
                owned = true;
                ownedSet.add(this);
                return true;
            } catch (OverlappingFileLockException e) {
                return false;
            } catch (IOException e) {
                LOG.debug("could not lock {}", dir.resolve(LOCK), e);
                closeQuietly(c);
                return false;
            }
        }
    }

    /** Gives up the lock (the record stays, for the next JVM). */
    synchronized void unlock() {
        if (owned) {
            owned = false;
            ownedSet.remove(this);
            closeQuietly(HELD.remove(dir));
        }
    }

    /**
     * Forgets a finished task: deletes its record if this JVM owns it or can take it over now;
     * a record that another JVM owns stays, for that JVM to report and delete.
     */
    void release() {
        if (takeOver()) {
            delete();
        }
    }

    /** Deletes the record (owner only), then gives up its lock. */
    synchronized void delete() {
        if (!owned) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) { // flat: the helper writes files only
            for (Path p : s.toList()) {
                if (!p.getFileName().toString().equals(LOCK)) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir.resolve(LOCK));
            Files.deleteIfExists(dir);
        } catch (NoSuchFileException e) {
            // gone already
        } catch (IOException e) {
            LOG.warn("could not delete the detached task record {}: {}", dir, e.toString());
        }
        unlock();
    }

    private static void closeQuietly(FileChannel c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException e) {
            LOG.debug("could not close a record lock", e);
        }
    }

    /** @return {@code /proc/sys/kernel/random/boot_id}, or "" where there is none (then every record counts as this boot's) */
    private static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id"), StandardCharsets.US_ASCII).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return "TaskRecord{" + dir + "}";
    }
}
