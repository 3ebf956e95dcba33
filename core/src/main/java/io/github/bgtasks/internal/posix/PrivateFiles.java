package io.github.bgtasks.internal.posix;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The one policy for files that hold a user's tasks (logs, state, scripts): directories
 * {@code rwx------}, files {@code rw-------}, created new and never through a link, in
 * directories that belong to the user the JVM runs as and that no one else can write to.
 * Whoever else can write to such a directory can swap a file for a FIFO or a link between its
 * creation and its use.
 *
 * <p><b>Not API.</b> This class is thread-safe.
 */
public final class PrivateFiles {
    /** {@code rwx------}, for directories. */
    public static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIRECTORY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    /** {@code rw-------}, for files. */
    public static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    /** {@code rwx------}, for scripts. */
    public static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_EXECUTABLE = OWNER_ONLY_DIRECTORY;

    /** New, writable, never through a link: the options of every file created here (a log per start). */
    private static final Set<OpenOption> CREATE_OPTIONS = Set.of(CREATE_NEW, WRITE, NOFOLLOW_LINKS);

    private PrivateFiles() {
    }

    /**
     * Creates a directory {@code rwx------} if it is missing, with missing parents (also
     * {@code rwx------}). An existing one is left as it is: check it with {@link #writers}
     * and {@link #isOurs}.
     *
     * @param dir the directory
     * @throws IOException if it could not be created
     */
    public static void createDirectory(Path dir) throws IOException {
        if (Files.exists(dir, NOFOLLOW_LINKS)) {
            return;
        }
        if (dir.getParent() != null) {
            Files.createDirectories(dir.getParent(), OWNER_ONLY_DIRECTORY);
        }
        try {
            Files.createDirectory(dir, OWNER_ONLY_DIRECTORY);
        } catch (FileAlreadyExistsException e) {
            // created meanwhile, perhaps by someone else: the caller checks it like any other
        }
    }

    /**
     * Creates a new file {@code rw-------} and opens it for writing; fails if anything (a link
     * too) is already there.
     *
     * @param file the file
     * @return the open channel
     * @throws FileAlreadyExistsException if the name is taken
     * @throws IOException if it could not be created
     */
    public static SeekableByteChannel createFile(Path file) throws IOException {
        return Files.newByteChannel(file, CREATE_OPTIONS, OWNER_ONLY_FILE);
    }

    /**
     * Writes a file owner-only and all at once (a hidden temporary file, then an atomic rename):
     * readers see the old content or the new, never half.
     *
     * @param file the file
     * @param text its new content
     * @throws IOException if writing or renaming fails
     */
    public static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (SeekableByteChannel c = createFile(tmp)) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                c.write(b);
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Tells who else may write to a file.
     *
     * @param permissions its permissions
     * @return "other users" or "its group", or empty if only the owner may
     */
    public static Optional<String> writers(Set<PosixFilePermission> permissions) {
        if (permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            return Optional.of("other users");
        }
        return permissions.contains(PosixFilePermission.GROUP_WRITE) ? Optional.of("its group") : Optional.empty();
    }

    /**
     * Tells whether a file belongs to the user the JVM runs as: its effective uid where it can
     * be read, else its name.
     *
     * @param p the file, not followed if it is a link
     * @param a its attributes
     * @return whether it is ours
     * @throws IOException if its owner cannot be read
     */
    public static boolean isOurs(Path p, PosixFileAttributes a) throws IOException {
        OptionalInt uid = Uid.EFFECTIVE;
        if (uid.isPresent()) {
            try {
                return ((Integer) Files.getAttribute(p, "unix:uid", NOFOLLOW_LINKS)) == uid.getAsInt();
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                // no "unix" attribute view: compare names below
            }
        }
        return a.owner().getName().equals(System.getProperty("user.name"));
    }

    /** @return the user the JVM runs as, for messages: such as {@code alice (uid 1000)} */
    public static String me() {
        OptionalInt uid = Uid.EFFECTIVE;
        return System.getProperty("user.name") + (uid.isPresent() ? " (uid " + uid.getAsInt() + ")" : "");
    }

    /** @return the JVM's effective uid, where {@code /proc/self/status} tells it */
    public static OptionalInt effectiveUid() {
        return Uid.EFFECTIVE;
    }

    /** The effective uid, read once from {@code /proc/self/status}; empty where there is none. */
    private static final class Uid {
        static final OptionalInt EFFECTIVE = read();

        private static OptionalInt read() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.ISO_8859_1)) {
                    if (line.startsWith("Uid:")) {
                        return OptionalInt.of(Integer.parseInt(line.substring(4).trim().split("\\s+")[1]));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no /proc: owners are compared by name
            }
            return OptionalInt.empty();
        }
    }
}
