package io.github.bgtasks.tmux.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** File chores of the state directory: private directories, atomic writes, quiet deletes. */
public final class StateFiles {
    private static final Logger LOG = LoggerFactory.getLogger(StateFiles.class);
    private static int myUid = -1;

    private StateFiles() {
    }

    /** @return the file's text, or {@code null} if it does not exist (or cannot be read) */
    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.debug("could not read {}", file, e);
            return null;
        }
    }

    /** Deletes a file if it exists; a failure is only logged. */
    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("could not delete {}", file, e);
        }
    }

    /** Writes the file owner-only, all at once: readers see the old content or the new, never half. */
    static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Deletes a directory and everything in it; a failure is only logged. */
    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            LOG.warn("could not delete the task state directory {}: {}", dir, e.toString());
        }
    }

    /**
     * Creates the directory with mode 0700, or checks that an existing one is the user's own and
     * closed to others: it holds tasks' environments and, for {@code -S}, the socket. A parent
     * must be the user's and not writable by others, unless it is sticky (such as /tmp).
     *
     * @param dir the directory
     * @param parent whether it is a parent (then a sticky directory such as /tmp is fine)
     * @throws IllegalArgumentException if it is not a directory, or open to others
     */
    public static void privateDirectory(Path dir, boolean parent) {
        String what = parent ? "directory" : "private directory";
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent());
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (FileAlreadyExistsException e) {
                    // created concurrently: check it below
                }
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException(what + " " + dir + " exists but is not a directory (or is a link)");
            }
            int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            int uid = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            boolean mine = uid == myUid();
            boolean ok = parent ? (mine && (mode & 022) == 0) || (mode & 01000) != 0
                    : mine && (mode & 027) == 0;
            if (!ok) {
                throw new IllegalArgumentException(what + " " + dir + " is not private to this user (owner uid " + uid
                        + ", mode " + Integer.toOctalString(mode & 07777) + "); tasks' environments are kept there; "
                        + "use a directory of your own with mode 700 (chmod 700 " + dir + ")");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the " + what + " " + dir, e);
        }
    }

    /** The uid of this process, as the owner of a file it creates. */
    static synchronized int myUid() throws IOException {
        if (myUid < 0) {
            Path probe = Files.createTempFile("bgtasks-uid", ".probe");
            try {
                myUid = (Integer) Files.getAttribute(probe, "unix:uid");
            } finally {
                Files.deleteIfExists(probe);
            }
        }
        return myUid;
    }
}
