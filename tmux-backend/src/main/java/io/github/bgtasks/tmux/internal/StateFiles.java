package io.github.bgtasks.tmux.internal;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import io.github.bgtasks.internal.posix.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File chores of the state directory that are the tmux backend's own: atomic writes, quiet
 * deletes, and the check that a state directory is closed to others. Files and directories are
 * created as {@link PrivateFiles}, the one policy of all backends, says.
 */
public final class StateFiles {
    private static final Logger LOG = LoggerFactory.getLogger(StateFiles.class);

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
     * Creates the directory as {@link PrivateFiles#createDirectory} does, or checks that an
     * existing one is the user's own and closed to others. It holds tasks' environments and,
     * for {@code -S}, the socket, so others may not even read it: stricter than
     * {@link PrivateFiles}' rule for log directories, which only forbids others to write. A
     * parent must be the user's and not writable by others, unless it is sticky (such as /tmp).
     *
     * @param dir the directory
     * @param parent whether it is a parent (then a sticky directory such as /tmp is fine)
     * @throws IllegalArgumentException if it is not a directory, or open to others
     */
    public static void privateDirectory(Path dir, boolean parent) {
        String what = parent ? "directory" : "private directory";
        try {
            PrivateFiles.createDirectory(dir);
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, NOFOLLOW_LINKS);
            if (!a.isDirectory()) {
                throw new IllegalArgumentException(what + " " + dir + " exists but is not a directory (or is a link)");
            }
            // unix:mode, not the permissions: only it shows the sticky bit.
            int mode = (Integer) Files.getAttribute(dir, "unix:mode", NOFOLLOW_LINKS);
            boolean mine = PrivateFiles.isOurs(dir, a);
            boolean ok = parent ? (mine && (mode & 022) == 0) || (mode & 01000) != 0
                    : mine && (mode & 027) == 0;
            if (!ok) {
                throw new IllegalArgumentException(what + " " + dir + " is not private to " + PrivateFiles.me()
                        + " (owner " + a.owner().getName() + ", mode " + Integer.toOctalString(mode & 07777)
                        + "); tasks' environments are kept there; use a directory of your own with mode 700 (chmod 700 "
                        + dir + ")");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the " + what + " " + dir, e);
        }
    }
}
