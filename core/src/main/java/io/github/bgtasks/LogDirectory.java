package io.github.bgtasks;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import io.github.bgtasks.internal.Text;
import io.github.bgtasks.internal.posix.PrivateFiles;
import io.github.bgtasks.spi.LogStore;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory of task logs: checked once when an instance is built, then one new file per
 * run, and a look at the file system's free space when a run ends.
 *
 * <p>Only the user the JVM runs as may own it or write to it: whoever else can write to it can
 * replace a new log with a FIFO or a link between its creation and the backend's open, which
 * hangs the start or sends the task's output elsewhere. So an existing directory is refused if
 * another user owns it or if group or others can write to it, and a missing one is created
 * {@code rwx------}. A symbolic link is followed only if it is ours and leads to a directory that
 * passes the same checks; the target is used from then on. This class is thread-safe.
 */
final class LogDirectory implements LogStore {
    /** Less free space than this when a task ends, and its output may have been cut. */
    static final long LOW_SPACE = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(LogDirectory.class);
    private static final String CHOOSE = "choose another directory with BackgroundTasks.builder().logDirectory(...)";

    private final Path dir;
    private final Map<String, Integer> lastNumber = new ConcurrentHashMap<>();
    /**
     * The directory's file system, looked up once: {@link Files#getFileStore} reads the mount
     * table (about 100 µs), while {@link FileStore#getUsableSpace()} is one {@code statvfs} of
     * the directory (about 1 µs). Null until first needed, and while it cannot be looked up.
     */
    private volatile FileStore store;

    private LogDirectory(Path dir) {
        this.dir = dir;
    }

    /** @return {@code <java.io.tmpdir>/bgtasks-<user.name>} */
    static Path defaultPath() {
        return Path.of(System.getProperty("java.io.tmpdir"), "bgtasks-" + System.getProperty("user.name"));
    }

    /**
     * Checks the directory, creating it if missing.
     *
     * @param configured the directory the user chose, or {@code null} for the default
     * @throws IllegalArgumentException if the chosen directory cannot be used; the message says why and what to do
     * @throws IllegalStateException if the default directory cannot be used
     */
    static LogDirectory open(Path configured) {
        boolean byDefault = configured == null;
        Path dir = (byDefault ? defaultPath() : configured).toAbsolutePath().normalize();
        try {
            PrivateFiles.createDirectory(dir);
            return new LogDirectory(check(dir, byDefault));
        } catch (IOException e) {
            throw refuse(byDefault, "log directory " + dir + " could not be created or read: " + reason(e)
                    + "; create it yourself (mode 700), or " + CHOOSE);
        }
    }

    private static Path check(Path dir, boolean byDefault) throws IOException {
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, NOFOLLOW_LINKS);
        if (!a.isSymbolicLink()) {
            checkDirectory(dir, a, byDefault, "log directory " + dir);
            return dir;
        }
        if (!PrivateFiles.isOurs(dir, a)) {
            throw refuse(byDefault, "log directory " + dir + " is a symbolic link owned by user " + a.owner().getName()
                    + ", not by " + PrivateFiles.me() + ", the user this JVM runs as: its owner decides where logs go, and "
                    + "can replace a task's log with a FIFO or a link. " + fix(byDefault, dir));
        }
        Path target = dir.toRealPath();
        checkDirectory(target, Files.readAttributes(target, PosixFileAttributes.class, NOFOLLOW_LINKS), byDefault,
                "log directory " + target + " (where the link " + dir + " leads)");
        return target;
    }

    private static void checkDirectory(Path dir, PosixFileAttributes a, boolean byDefault, String what)
            throws IOException {
        if (!a.isDirectory()) {
            throw refuse(byDefault, what + " exists but is not a directory; " + (byDefault ? "remove it, or " : "")
                    + CHOOSE);
        }
        if (!PrivateFiles.isOurs(dir, a)) {
            throw refuse(byDefault, what + " belongs to user " + a.owner().getName() + ", not to " + PrivateFiles.me()
                    + ", the user this JVM runs as: its owner can replace a task's log with a FIFO or a link, "
                    + "which would hang a start or send the output elsewhere. " + fix(byDefault, dir));
        }
        Set<PosixFilePermission> p = a.permissions();
        Optional<String> writers = PrivateFiles.writers(p);
        if (writers.isPresent()) {
            throw refuse(byDefault, what + " can be written by " + writers.get() + " (mode " + PosixFilePermissions.toString(p) + "): they could "
                    + "replace a task's log with a FIFO or a link, which would hang a start or send the output "
                    + "elsewhere. Run `chmod 700 " + dir + "`, or " + CHOOSE);
        }
    }

    private static String fix(boolean byDefault, Path dir) {
        return byDefault
                ? "It is the default log directory (<java.io.tmpdir>/bgtasks-<user.name>), which anyone can create "
                        + "first in a shared temporary directory: have its owner or root remove " + dir + ", or " + CHOOSE
                : "Choose a directory of your own with BackgroundTasks.builder().logDirectory(...)";
    }

    private static RuntimeException refuse(boolean byDefault, String message) {
        return byDefault ? new IllegalStateException(message) : new IllegalArgumentException(message);
    }

    /** @return the directory, absolute, without symbolic link at its end */
    @Override
    public Path directory() {
        return dir;
    }

    /**
     * Keeps new runs of {@code name} from using the number of an adopted run, whose id is
     * {@code <name>.<n>}; other ids reserve nothing.
     */
    @Override
    public void reserveRun(String name, String id) {
        int dot = id.lastIndexOf('.');
        if (dot > 0 && id.substring(0, dot).equals(name)) {
            try {
                lastNumber.merge(name, Integer.parseInt(id.substring(dot + 1)), Math::max);
            } catch (NumberFormatException e) {
                // not an id of the form <name>.<n>: nothing to reserve
            }
        }
    }

    /** @return the id of the run that logs to {@code log}: its file name without {@code .log} */
    static String runId(Path log) {
        String f = log.getFileName().toString();
        return f.substring(0, f.length() - ".log".length());
    }

    /**
     * Creates {@code <name>.<n>.log} with the first free n, owner-only, never through a link,
     * and checks that it can hold output: a full file system still lets an empty file be
     * created, and the task would then lose all its output without anyone knowing.
     *
     * @return the new, empty log
     * @throws IOException if it cannot be created or written; {@link #reason(IOException)} says why
     */
    @Override
    public Path create(String name) throws IOException {
        int n = lastNumber.getOrDefault(name, 0);
        while (true) {
            n++;
            Path log = dir.resolve(name + "." + n + ".log");
            SeekableByteChannel ch;
            try {
                ch = PrivateFiles.createFile(log);
            } catch (FileAlreadyExistsException e) {
                continue; // taken by an earlier run: try the next number
            }
            lastNumber.merge(name, n, Math::max);
            try (ch) {
                ch.write(ByteBuffer.wrap(new byte[] {'\n'}));
                ch.truncate(0);
            } catch (IOException e) {
                deleteQuietly(log);
                throw e;
            }
            return log;
        }
    }

    /**
     * Tells whether the file system of a finished task's log was full, or nearly (less than
     * {@link #LOW_SPACE} free): then the task's output may be incomplete, and its writes may
     * have failed. One {@code statvfs} per task end.
     *
     * @return the problem, for people, or empty
     */
    Optional<String> spaceProblem(Path log) {
        long free;
        try {
            free = storeOf(log).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // the log is gone or unreadable: nothing to say about its space
        }
        if (free >= LOW_SPACE) {
            return Optional.empty();
        }
        String where = "the file system of " + log.getParent();
        return Optional.of((free == 0 ? where + " was full" : where + " had only " + Text.count(free) + " bytes free")
                + " when the task ended: its output may be incomplete");
    }

    /**
     * The file system of a log: the directory's, looked up once, for the logs created here (a
     * regular file, never a link, so on the directory's file system); looked up each time for
     * a log elsewhere, such as that of a task adopted from an earlier run.
     */
    private FileStore storeOf(Path log) throws IOException {
        if (!dir.equals(log.getParent())) {
            return Files.getFileStore(log);
        }
        FileStore s = store;
        if (s == null) {
            s = Files.getFileStore(dir);
            store = s;
        }
        return s;
    }

    /** Appends a line about a problem to a log, best effort: on a full file system it fails. */
    static void note(Path log, String problem) {
        try (SeekableByteChannel ch = Files.newByteChannel(log, Set.of(READ, WRITE, NOFOLLOW_LINKS))) {
            long size = ch.size();
            boolean atLineStart = true;
            if (size > 0) {
                ByteBuffer last = ByteBuffer.allocate(1);
                ch.position(size - 1).read(last);
                atLineStart = last.get(0) == '\n';
            }
            ch.position(size);
            ch.write(ByteBuffer.wrap(((atLineStart ? "" : "\n") + "[bgtasks] " + problem + "\n")
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not note in {} that {}", log, problem, e);
        }
    }

    /** Says why a file operation failed, in the operating system's words where there are some. */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return ((FileSystemException) e).getReason();
        }
        return String.valueOf(e.getMessage());
    }

    @Override
    public void delete(Path log) {
        deleteQuietly(log);
    }

    @Override
    public SeekableByteChannel read(Path log) throws IOException {
        return Files.newByteChannel(log, READ, NOFOLLOW_LINKS);
    }

    /** Says, after a task's end, if its file system was full, and notes it in its log. */
    @Override
    public Optional<String> checkAfterEnd(Path log) {
        Optional<String> problem = spaceProblem(log);
        problem.ifPresent(p -> note(log, p));
        return problem;
    }

    static void deleteQuietly(Path log) {
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            LOG.debug("could not delete {}", log, e);
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
