package io.github.bgtasks.tmux.internal;

import io.github.bgtasks.internal.posix.PrivateFiles;
import io.github.bgtasks.internal.records.LaunchProperties;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.io.StringWriter;
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
 * one. This class is immutable and thread-safe.
 */
public final class TaskRecords {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRecords.class);
    private static final String FILE = "task.properties";

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
        // A record without the owner property is from a version without go FIFOs: always accepted.
        return new Record(l, pid, Long.parseLong(p.getProperty("pidStartMillis", "0")),
                pid > 0 || p.getProperty("owner") == null);
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
