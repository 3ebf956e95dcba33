package io.github.bgtasks;

import io.github.bgtasks.spi.LogStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a {@link Retention}: picks the finished tasks to go, takes them out of the registry,
 * then (outside its lock) lets the backend forget them and deletes their logs. Running tasks are
 * never picked: the registry hands out finished ones only. Thread-safe: two sweeps at once
 * remove each task once, because only the one that took it out of the registry deletes it.
 */
final class Janitor {
    private static final Logger LOG = LoggerFactory.getLogger(Janitor.class);

    private final Retention retention; // null: keep everything, except on clean()
    private final TaskRegistry registry;
    private final LogStore logs;
    private final Clock clock;

    Janitor(Retention retention, TaskRegistry registry, LogStore logs, Clock clock) {
        this.retention = retention;
        this.registry = registry;
        this.logs = logs;
        this.clock = clock;
    }

    /** After a task's end: applies the retention, if there is one. */
    void afterEnd() {
        if (retention != null) {
            sweep(retention);
        }
    }

    /** On demand: the retention, or everything finished if there is none. */
    List<String> clean() {
        return sweep(retention != null ? retention : Retention.builder().maxCount(0).build());
    }

    private List<String> sweep(Retention r) {
        List<Task> finished = registry.finished(); // in the order they ended
        Set<Task> drop = new LinkedHashSet<>();
        r.maxAge().ifPresent(age -> {
            Instant cutoff = clock.instant().minus(age);
            for (Task t : finished) {
                if (t.startedAt().plus(t.runtime()).isBefore(cutoff)) {
                    drop.add(t);
                }
            }
        });
        List<Task> kept = new ArrayList<>(finished);
        kept.removeAll(drop);
        r.maxCount().ifPresent(max -> {
            for (int i = 0; i < kept.size() - max; i++) {
                drop.add(kept.get(i));
            }
        });
        kept.removeAll(drop);
        r.maxTotalBytes().ifPresent(max -> {
            long total = 0;
            long[] sizes = new long[kept.size()];
            for (int i = 0; i < kept.size(); i++) {
                sizes[i] = size(kept.get(i));
                total += sizes[i];
            }
            for (int i = 0; i < kept.size() && total > max; i++) {
                drop.add(kept.get(i));
                total -= sizes[i];
            }
        });
        List<String> removed = new ArrayList<>();
        for (Task t : registry.forget(drop)) {
            t.release();
            logs.delete(t.logFile());
            removed.add(t.id());
        }
        if (!removed.isEmpty()) {
            LOG.debug("retention removed {} finished task(s) and their logs: {}", removed.size(), removed);
        }
        return removed;
    }

    private static long size(Task t) {
        try {
            return Files.size(t.logFile());
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            LOG.debug("could not read the size of {}", t.logFile(), e);
            return 0;
        }
    }
}
