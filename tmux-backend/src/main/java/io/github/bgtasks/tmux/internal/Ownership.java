package io.github.bgtasks.tmux.internal;

import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who owns each task's state among the backend instances, in any JVM, that share a state
 * directory. The instance that starts a task owns it; only the owner deletes its state once
 * it has ended, so that another instance that still watches it finds its exit record. A task
 * whose owner has gone is taken over by exactly one instance. This class finds the recorded
 * tasks again ({@link #discover()}) and decides, when a task is released, whether its state is
 * this instance's to delete. This class is thread-safe.
 */
public final class Ownership {
    private static final Logger LOG = LoggerFactory.getLogger(Ownership.class);

    private final OwnerLock owners;
    private final TaskRecords records;
    private final EndWatcher ends;
    private final TmuxTask.Services services;

    /**
     * @param owners this instance's lock, and the others'
     * @param records the task records
     * @param ends watches the tasks found
     * @param services for the tasks found
     */
    public Ownership(OwnerLock owners, TaskRecords records, EndWatcher ends, TmuxTask.Services services) {
        this.owners = owners;
        this.records = records;
        this.ends = ends;
        this.services = services;
    }

    /**
     * Finds the tasks recorded in the state directory: running ones (their session exists),
     * ones that ended while no JVM watched (completed with the recorded status), and ones
     * whose end was not recorded (completed as lost).
     *
     * <p>A task whose owner (the instance that started it, or took it over) is still open
     * elsewhere is only watched: its state stays the owner's to delete, and one that the owner
     * is still starting is left out. A task whose owner has gone is taken over by exactly one
     * instance; if its start was accepted but its wrapper never read the go (the owner ended in
     * between), the go is given now; if its start was never accepted, it never runs and is
     * reported lost.
     *
     * @return the tasks found, oldest first
     * @throws IOException if the state directory cannot be read, or tmux failed
     */
    public List<BackendTask> discover() throws IOException {
        List<TmuxTask> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = records.directories()) {
            for (Path dir : dirs) {
                String id = dir.getFileName().toString();
                if (ends.watches(id) || !TaskRecords.hasRecord(dir)) {
                    continue;
                }
                TmuxTask t;
                try {
                    TaskRecords.Record r = records.read(dir);
                    if (r == null) {
                        continue;
                    }
                    t = new TmuxTask(services, r.launch(), dir);
                    t.identify(r.pid(), r.pidStartMillis());
                    t.accepted = r.accepted();
                    String owner = TaskRecords.owner(dir);
                    boolean ownerOpen = owners.isOpen(owner);
                    if (!t.accepted && ownerOpen) {
                        continue; // being started by its owner right now
                    }
                    t.owned = !ownerOpen && claim(t, owner);
                    if (t.owned && !t.accepted) {
                        t.complete(ExitStatus.lost("its start was never confirmed: the JVM that started it ended "
                                + "first, so the command was never run"));
                        TmuxTask.wakeUnanswered(dir);
                    } else if (t.owned && !Files.exists(dir.resolve("started")) && !Files.exists(dir.resolve("exit"))
                            && Files.exists(dir.resolve("go"))) {
                        // Accepted, but the owner went before the wrapper read its go: give it again.
                        t.openGo();
                        t.sendGo();
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("ignoring the unreadable task record in {}: {}", dir, e.toString());
                    continue;
                }
                ends.watch(t);
                found.add(t);
            }
        }
        found.sort(Comparator.comparing(t -> t.launch().startedAt()));
        Set<String> live = services.sessions().liveTags();
        for (TmuxTask t : found) {
            ends.check(t, x -> live != null && live.contains(x.tag()));
        }
        return List.copyOf(found);
    }

    /**
     * Takes over a task whose owner has gone. Exactly one instance wins: the one that creates
     * the claim file named after the gone owner first. It then records itself as the owner.
     */
    private boolean claim(TmuxTask t, String goneOwner) {
        try {
            Files.createFile(t.dir().resolve("claimed-from-" + (goneOwner == null ? "none" : goneOwner)));
            records.write(t.dir(), t.launch(), t.pid().orElse(0), t.pidStartMillis());
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            LOG.debug("could not take over the tmux task in {}", t.dir(), e);
            return false;
        }
    }

    /**
     * Forgets a finished task. Its state is deleted only by its owner, or by an instance that
     * takes it over now because the owner has gone: another instance that still watches it
     * (the one that started it, say) must find its exit record.
     *
     * @param t the task
     */
    public void release(TmuxTask t) {
        ends.unwatch(t);
        t.closeGo();
        boolean mine = t.owned;
        if (!mine) {
            try {
                String owner = TaskRecords.owner(t.dir());
                mine = owners.id().equals(owner) || (!owners.isOpen(owner) && claim(t, owner));
            } catch (IOException e) {
                mine = false; // gone already, or unreadable: not ours to delete
            }
        }
        if (mine) {
            StateFiles.deleteTree(t.dir());
        }
    }
}
