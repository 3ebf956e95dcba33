package io.github.bgtasks.tmux.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Go FIFOs made ahead of time, {@value #BATCH} per run of mkfifo(1) (Java cannot make a FIFO),
 * and moved into a task's directory when it starts: a rename, where one mkfifo run per start
 * cost a fork and exec on every start. They wait in {@code fifos/<instance id>} beside the task
 * directories (never among them), which this instance removes when it closes; a later instance
 * removes those of instances that died. This class is thread-safe.
 */
public final class SpareFifos {
    static final int BATCH = 16;

    private final Path dir;
    private final Tools tools;
    private final Deque<Path> spare = new ArrayDeque<>();
    private long made;

    /**
     * Removes what instances that have gone left in {@code fifosDir}.
     *
     * @param fifosDir the directory of every instance's spare FIFOs, in the private state directory
     * @param owners this instance, which tells which others are open
     * @param tools makes the FIFOs
     */
    public SpareFifos(Path fifosDir, OwnerLock owners, Tools tools) {
        StateFiles.privateDirectory(fifosDir, false);
        this.dir = fifosDir.resolve(owners.id());
        this.tools = tools;
        try (DirectoryStream<Path> all = Files.newDirectoryStream(fifosDir)) {
            for (Path d : all) {
                if (!owners.isOpen(d.getFileName().toString())) {
                    StateFiles.deleteTree(d);
                }
            }
        } catch (IOException e) {
            // only litter: a few empty FIFOs
        }
    }

    /** Puts a new FIFO, mode 0600, at {@code target}; makes a batch first if none is left. */
    synchronized void moveTo(Path target) throws IOException {
        if (spare.isEmpty()) {
            Files.createDirectories(dir);
            List<Path> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                batch.add(dir.resolve(Long.toString(made++)));
            }
            tools.mkfifo(batch);
            spare.addAll(batch);
        }
        Files.move(spare.poll(), target, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Removes this instance's spare FIFOs. */
    public synchronized void close() {
        spare.clear();
        StateFiles.deleteTree(dir);
    }
}
