package io.github.bgtasks.tmux.internal;

import io.github.bgtasks.internal.posix.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This backend instance's identity among all instances, in any JVM, that share a state
 * directory: a random id, and a lock on the file {@code owners/<id>} held while the instance is
 * open. The kernel releases the lock when a JVM dies, so another instance can tell an owner
 * that is open from one that has gone. This class is thread-safe.
 */
public final class OwnerLock {
    private static final Logger LOG = LoggerFactory.getLogger(OwnerLock.class);
    /**
     * The backend instances of this JVM that are open, by id. Another JVM's instance is known to
     * be open by the lock it holds on its file in {@code owners/}; within one JVM that lock
     * cannot be probed (closing a probe's descriptor would drop the owner's POSIX lock).
     */
    private static final Set<String> OPEN_HERE = ConcurrentHashMap.newKeySet();

    /** This instance's id, the {@code owner} in the records of the tasks it owns. */
    private final String id = UUID.randomUUID().toString();
    private final Path ownersDir;
    private final Chores chores;
    /** Held while this instance is open: tells other JVMs that its tasks have an owner. */
    private final FileChannel lock;

    /**
     * Creates {@code owners/} (private) and takes this instance's lock in it.
     *
     * @param ownersDir the directory of owner locks
     * @param chores tells whether this instance has closed
     */
    public OwnerLock(Path ownersDir, Chores chores) {
        this.ownersDir = ownersDir;
        this.chores = chores;
        StateFiles.privateDirectory(ownersDir, false);
        try {
            this.lock = FileChannel.open(ownersDir.resolve(id), Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PrivateFiles.OWNER_ONLY_FILE);
            lock.lock();
            OPEN_HERE.add(id);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the owner lock in " + ownersDir, e);
        }
    }

    /** @return this instance's id */
    public String id() {
        return id;
    }

    /**
     * Tells whether the backend instance with the id is open: this one until it closes, one of
     * this JVM's, or one of another JVM that still holds the lock on its file in {@code owners/}
     * (the kernel releases it when that JVM dies). A file left by a JVM that died is removed.
     */
    boolean isOpen(String owner) {
        if (owner == null || owner.isEmpty() || owner.contains("/")) {
            return false;
        }
        if (owner.equals(id)) {
            return !chores.closed();
        }
        if (OPEN_HERE.contains(owner)) {
            return true;
        }
        Path file = ownersDir.resolve(owner);
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock probe = c.tryLock();
            if (probe == null) {
                return true;
            }
            Files.deleteIfExists(file); // its JVM died: the lock was free
            probe.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // this JVM holds it (an instance being opened or closed right now)
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            LOG.debug("could not tell whether the owner {} of a tmux task is open; assuming it is", owner, e);
            return true;
        }
    }

    /** Gives up the lock and removes its file: this instance's tasks may now be taken over. */
    public void close() {
        OPEN_HERE.remove(id);
        try {
            Files.deleteIfExists(ownersDir.resolve(id));
            lock.close();
        } catch (IOException e) {
            LOG.debug("could not remove the owner lock {}", ownersDir.resolve(id), e);
        }
    }
}
