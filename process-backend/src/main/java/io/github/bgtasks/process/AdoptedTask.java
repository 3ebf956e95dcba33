package io.github.bgtasks.process;

import io.github.bgtasks.internal.posix.ProcStat;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A detached task that an earlier JVM started, found again in the state directory. Its helper
 * (if still alive) is another JVM's, so this JVM reaches the task through its session: pid =
 * session id = process group id, each member checked against pid reuse by {@link Sessions}.
 * Its end is what the helper recorded ({@link TaskRecord#exit()}), seen by the
 * {@link ExitWatcher}; if the helper died without recording it, the task is LOST once its own
 * process is gone. Its standard input stayed with the JVM that started it.
 */
final class AdoptedTask implements BackendTask {
    private final TaskRecord record;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    /** pid and start time of the task's own process, once the helper recorded them */
    private volatile long[] started;

    AdoptedTask(TaskRecord record) {
        this.record = record;
    }

    /**
     * Looks once whether the task has ended; completes its future if so.
     *
     * @return whether it has ended (the watcher then forgets it)
     */
    boolean check() {
        if (exit.isDone()) {
            return true;
        }
        Optional<ExitStatus> end = record.exit();
        if (end.isEmpty() && !Files.isDirectory(record.dir())) {
            end = Optional.of(ExitStatus.lost("its record in " + record.dir() + " was removed by another JVM"));
        }
        if (end.isEmpty() && !record.helperAlive()) {
            end = record.exit(); // read again: the helper may have recorded it just before it ended
            if (end.isEmpty() && !record.sameBoot()) {
                end = Optional.of(ExitStatus.lost("it was started before the machine last booted, and its end was"
                        + " not recorded"));
            } else if (end.isEmpty() && !leaderAlive()) {
                end = Optional.of(ExitStatus.lost("the bgtasks helper that ran it (pid " + record.helperPid()
                        + ") ended before the task did (was it killed?), so its exit status is unknown"));
            }
        }
        end.ifPresent(exit::complete);
        return exit.isDone();
    }

    private long[] started() {
        long[] s = started;
        if (s == null) {
            s = record.started().orElse(null);
            started = s;
        }
        return s;
    }

    /** @return whether the task's own process runs: the one recorded, not a later user of its pid */
    private boolean leaderAlive() {
        long[] s = started();
        return s != null && record.sameBoot() && ProcStat.read(s[0]).filter(p -> p.startTime() == s[1] && !p.isZombie()).isPresent();
    }

    @Override
    public Launch launch() {
        return record.launch();
    }

    @Override
    public OptionalLong pid() {
        long[] s = started();
        return s == null ? OptionalLong.empty() : OptionalLong.of(s[0]);
    }

    @Override
    public CompletableFuture<ExitStatus> exit() {
        return exit;
    }

    @Override
    public void terminate() {
        signal(false);
    }

    @Override
    public void kill() {
        signal(true);
    }

    /**
     * Signals the live members of the task's session. While the session's leader is gone its
     * id cannot be reused as long as a member is left, so the members found are the task's; once
     * its pid is another process's (a later start time), the session is someone else's.
     * (SIGTERM goes without SIGCONT here: the JDK cannot send it.)
     */
    private void signal(boolean force) {
        long[] s = started();
        if (exit.isDone() || s == null || !record.sameBoot()) {
            return; // a task of an earlier boot has no process now: its pid may be anyone's
        }
        Optional<ProcStat> now = ProcStat.read(s[0]);
        if (now.isPresent() && now.get().startTime() != s[1]) {
            return; // the pid is another process's: nothing of the task is left in that session
        }
        Map<Long, List<ProcessHandle>> members = Sessions.members(Set.of(s[0]));
        Sessions.signal(members.getOrDefault(s[0], List.of()), force);
    }

    @Override
    public void send(byte[] bytes) throws IOException {
        throw new IOException("task " + record.launch().id() + " was started detached by an earlier JVM; its standard"
                + " input stayed with that JVM, so nothing can be sent to it from here");
    }

    @Override
    public void closeInput() {
        // its stdin belongs to the helper of the JVM that started it
    }

    @Override
    public void release() {
        record.release();
    }

    @Override
    public String toString() {
        return "AdoptedTask{" + record.launch().id() + ", pid " + pid() + "}";
    }
}
