package io.github.bgtasks.slurm;

import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** One task as one batch job. Its end is observed by the backend's poll, never by a thread of its own. */
final class SlurmJob implements BackendTask {
    /** Job states after which nothing of the job runs any more (squeue's and sacct's names). */
    static final Set<String> FINAL = Set.of("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED",
            "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY", "REVOKED", "SPECIAL_EXIT");

    /** Final states in which the program's own end was not observed: the node or the scheduler ended the job. */
    static final Set<String> LOST = Set.of("NODE_FAIL", "BOOT_FAIL", "PREEMPTED", "REVOKED", "SPECIAL_EXIT");

    private final Launch launch;
    private final String jobId;
    private final Slurm slurm;
    private final Runnable onRelease;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private static final long KILL_AGAIN_AFTER_NANOS = 2_000_000_000L;
    private volatile long killedAt; // System.nanoTime() of the last SIGKILL, 0 before kill()
    private volatile boolean running; // squeue saw it RUNNING (or later)

    SlurmJob(Launch launch, String jobId, Slurm slurm, Runnable onRelease) {
        this.launch = launch;
        this.jobId = jobId;
        this.slurm = slurm;
        this.onRelease = onRelease;
    }

    String jobId() {
        return jobId;
    }

    @Override
    public Launch launch() {
        return launch;
    }

    /** @return empty: the job's processes run on a compute node, where this JVM's /proc does not reach */
    @Override
    public OptionalLong pid() {
        return OptionalLong.empty();
    }

    @Override
    public CompletableFuture<ExitStatus> exit() {
        return exit;
    }

    /** Completes the exit future (exactly once; later calls change nothing). */
    void complete(ExitStatus status) {
        exit.complete(status);
    }

    /** Notes that squeue saw the job running: from now on signals reach its processes. */
    void seenRunning() {
        running = true;
    }

    /**
     * SIGTERM then SIGCONT to the program's process group: {@code scancel --batch --signal=TERM}
     * reaches the batch script, which forwards both. A job still in the queue is cancelled
     * instead: a signal cannot reach it.
     */
    @Override
    public void terminate() throws IOException {
        if (!running && pendingNow()) {
            cancel();
            return;
        }
        signal("TERM");
    }

    /**
     * SIGKILL to the program's process group: {@code scancel --batch --signal=USR2}, which the
     * batch script turns into SIGKILL (scancel itself would turn SIGKILL into a cancel with
     * SIGTERM first). Sent again by the poll if the job still runs two seconds later; a job
     * still in the queue is cancelled instead.
     */
    @Override
    public void kill() throws IOException {
        if (!running && pendingNow()) {
            cancel();
            return;
        }
        killedAt = System.nanoTime();
        signal("USR2");
    }

    /**
     * Sends SIGKILL again if the job still runs two seconds after {@link #kill()}: a signal sent
     * while slurmd launches a job is lost (scancel answers success all the same). Called by the
     * poll for jobs not yet ended; SIGKILL twice is harmless.
     */
    void killAgainIfDue(long now) {
        long at = killedAt;
        if (at != 0 && now - at > KILL_AGAIN_AFTER_NANOS && !exit.isDone()) {
            killedAt = now;
            try {
                signal("USR2");
            } catch (IOException e) {
                // the next poll tries again
            }
        }
    }

    /** @return whether the job may still run (false: it had ended, or it was cancelled instead) */
    private boolean signal(String name) throws IOException {
        if (exit.isDone()) {
            return false;
        }
        Slurm.Result r = slurm.run("scancel", List.of("--signal=" + name, "--batch", jobId));
        if (r.ok() && !r.err().contains("error")) {
            return true;
        }
        if (gone(r.err()) || exit.isDone()) {
            return false;
        }
        if (!running) {
            cancel(); // a pending job: "Job can not be altered now"
            return false;
        }
        throw failed("--signal=" + name + " --batch", r);
    }

    /**
     * Asks Slurm whether a job not yet seen running still waits in the queue, where a signal
     * would be accepted and lost (a job held or waiting for its begin time).
     */
    private boolean pendingNow() throws IOException {
        Slurm.Result r = slurm.run("squeue", List.of("--noheader", "--jobs=" + jobId, "--Format=State"));
        return r.ok() && r.out().trim().equals("PENDING");
    }

    private void cancel() throws IOException {
        Slurm.Result r = slurm.run("scancel", List.of(jobId));
        if ((r.ok() && !r.err().contains("error")) || gone(r.err()) || exit.isDone()) {
            return;
        }
        throw failed("", r);
    }

    private IOException failed(String options, Slurm.Result r) {
        return new IOException("scancel " + options + (options.isEmpty() ? "" : " ") + jobId + " (task " + launch.id()
                + ") failed (exit " + r.exit() + "): " + (r.err().isEmpty() ? "no message" : r.err()));
    }

    private static boolean gone(String err) {
        return err.contains("already completing or completed") || err.contains("Invalid job id");
    }

    /** @throws IOException always: a batch job reads /dev/null */
    @Override
    public void send(byte[] bytes) throws IOException {
        throw new IOException("a Slurm batch job has no standard input (it reads /dev/null); pass input as a file "
                + "or an argument instead");
    }

    /** Nothing to do: a batch job's standard input is /dev/null, already at end of file. */
    @Override
    public void closeInput() {
    }

    @Override
    public void release() {
        onRelease.run();
    }

    /**
     * The exit status of a job in a final state.
     *
     * @param state the job's state, such as COMPLETED or TIMEOUT (sacct's "CANCELLED by 0" too)
     * @param waitStatus the batch script's wait status (squeue's exit_code), or -1 if unknown
     * @param reason Slurm's reason, for people
     */
    ExitStatus status(String state, int waitStatus, String reason) {
        String base = state.split(" ")[0];
        ExitStatus s;
        if (LOST.contains(base)) {
            return ExitStatus.lost("Slurm job " + jobId + " ended " + state
                    + (reason == null || reason.isBlank() || reason.equals("None") ? "" : " (" + reason + ")"));
        }
        if (waitStatus > 0 && (waitStatus & 0x7f) != 0) {
            s = ExitStatus.signaled(waitStatus & 0x7f);
        } else if (waitStatus >= 0 && (base.equals("COMPLETED") || base.equals("FAILED") || waitStatus != 0)) {
            s = ExitStatus.exited((waitStatus >> 8) & 0xff);
        } else {
            // CANCELLED before its program ran, TIMEOUT or DEADLINE without a status, or
            // OUT_OF_MEMORY (the kernel's OOM killer): ended at once, with no chance to react.
            s = ExitStatus.signaled(9);
        }
        return base.equals("TIMEOUT") ? s.asTimedOut() : s;
    }

    @Override
    public String toString() {
        return "SlurmJob{" + jobId + " " + launch.id() + "}";
    }
}
