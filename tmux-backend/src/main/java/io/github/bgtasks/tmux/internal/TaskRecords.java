package io.github.bgtasks.tmux.internal;

import io.github.bgtasks.internal.posix.PrivateFiles;
import io.github.bgtasks.internal.records.LaunchProperties;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task records in the state directory: each task has a directory {@code tasks/<tag>}, mode
 * 0700, whose {@code task.properties} holds what a later JVM needs to list the task again (its
 * launch, its wrapper's pid and start time), the server it runs on, and the backend instance
 * that owns its state. A record is written atomically, so a reader sees the old one or the new
 * one.
 *
 * <p>A start writes the record once, before its tmux call, with pid 0 (not accepted), and
 * accepts the task afterwards with a small {@code accepted} file of its own holding the
 * wrapper's pid and start time: one create and one write, where a second atomic record cost a
 * temporary file and a rename (measured: about 1 ms a start on a busy machine). The file counts
 * only once complete (its line ends in a newline), and the go is given only after it is
 * written, so a JVM that died while writing it had given no go either. A record with a pid
 * (one that a later instance rewrote on taking the task over, or of an earlier version) is
 * accepted as it is. This class is immutable and thread-safe.
 */
public final class TaskRecords {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRecords.class);
    private static final String FILE = "task.properties";
    /** The file that accepts a started task (see the class comment). */
    private static final String ACCEPTED = "accepted";

    private final Path tasksDir;
    private final String server;
    private final String owner;

    /**
     * @param tasksDir the directory of the task directories, existing and private
     * @param server the server's attach prefix, which identifies it in each record
     * @param owner this backend instance's id, written as the owner of what it records
     */
    public TaskRecords(Path tasksDir, String server, String owner) {
        this.tasksDir = tasksDir;
        this.server = server;
        this.owner = owner;
    }

    /** A task as recorded: its launch, its wrapper, and whether its start was accepted. */
    record Record(Launch launch, long pid, long pidStartMillis, boolean accepted) {
    }

    /** Creates the task's state directory, mode 0700: named as the run, with a suffix if that is taken. */
    Path createDirectory(String id) throws IOException {
        for (int n = 1; ; n++) {
            Path dir = tasksDir.resolve(n == 1 ? id : id + "~" + n);
            try {
                return Files.createDirectory(dir, PrivateFiles.OWNER_ONLY_DIRECTORY);
            } catch (FileAlreadyExistsException e) {
                // an earlier run with the same id, kept by a BackgroundTasks with another log directory
            }
        }
    }

    /** @return the task directories, for a caller to close */
    DirectoryStream<Path> directories() throws IOException {
        return Files.newDirectoryStream(tasksDir);
    }

    /** @return whether the directory has a record (a start may be writing it right now) */
    static boolean hasRecord(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }

    /**
     * Records the task with this instance as its owner. A pid of 0 means the start was not
     * accepted (yet): no later JVM ever lets such a task run.
     */
    void write(Path dir, Launch l, long pid, long pidStart) throws IOException {
        Properties p = new Properties();
        LaunchProperties.put(l, p);
        p.setProperty("socket", server);
        p.setProperty("pid", Long.toString(pid));
        p.setProperty("pidStartMillis", Long.toString(pidStart));
        p.setProperty("owner", owner);
        StringWriter w = new StringWriter();
        p.store(w, "bgtasks tmux task record");
        PrivateFiles.writeAtomically(dir.resolve(FILE), w.toString());
    }

    /**
     * Accepts a started task: from now on it is to run, whatever happens to this JVM. Written
     * with one create and one write; see the class comment for why that is enough.
     */
    static void accept(Path dir, long pid, long pidStart) throws IOException {
        try (SeekableByteChannel c = PrivateFiles.createFile(dir.resolve(ACCEPTED))) {
            ByteBuffer b = ByteBuffer.wrap((pid + " " + pidStart + "\n").getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                c.write(b);
            }
        }
    }

    /** @return the pid and start time in a complete {@code accepted} file, or {@code null} */
    private static long[] accepted(Path dir) {
        String text = StateFiles.read(dir.resolve(ACCEPTED));
        if (text == null || !text.endsWith("\n")) {
            return null; // none, or its writer died before the line was complete: it gave no go either
        }
        String[] f = text.trim().split(" ");
        try {
            long[] v = {Long.parseLong(f[0]), Long.parseLong(f[1])};
            return f.length == 2 && v[0] > 0 ? v : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** @return the task recorded in the directory, or {@code null} if it belongs to another server */
    Record read(Path dir) throws IOException {
        Properties p = load(dir);
        if (!server.equals(p.getProperty("socket"))) {
            LOG.warn("ignoring task record {}: it belongs to the tmux server '{}', not '{}'; give each socket its own "
                    + "state directory", dir, p.getProperty("socket"), server);
            return null;
        }
        Launch l = LaunchProperties.launch(p);
        long pid = Long.parseLong(p.getProperty("pid", "0"));
        long start = Long.parseLong(p.getProperty("pidStartMillis", "0"));
        long[] accepted = pid > 0 ? null : accepted(dir);
        if (accepted != null) {
            pid = accepted[0];
            start = accepted[1];
        }
        // A record without the owner property is from a version without go FIFOs: always accepted.
        return new Record(l, pid, start, pid > 0 || p.getProperty("owner") == null);
    }

    /** @return the owner recorded for the task, or {@code null} (a record of an older version) */
    static String owner(Path dir) throws IOException {
        return load(dir).getProperty("owner");
    }

    private static Properties load(Path dir) throws IOException {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(dir.resolve(FILE), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }
}
