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
    private volatile int lastSignal; // what terminate()/kill() sent, for a job cancelled before it ran
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
     * SIGTERM then SIGCONT to every process of the job ({@code scancel --signal --full}). A job
     * not yet seen running is cancelled instead: a signal reaches only a job whose processes
     * run, and one sent while slurmd still launches the job is lost.
     */
    @Override
    public void terminate() throws IOException {
        lastSignal = 15;
        if (!running) {
            scancel(List.of(jobId));
            return;
        }
        scancel(List.of("--signal=TERM", "--full", jobId));
        scancel(List.of("--signal=CONT", "--full", jobId));
    }

    /** SIGKILL to every process of the job; a job not yet seen running is also cancelled (see {@link #terminate()}). */
    @Override
    public void kill() throws IOException {
        lastSignal = 9;
        boolean wasRunning = running;
        scancel(List.of("--signal=KILL", "--full", jobId));
        if (!wasRunning) {
            scancel(List.of(jobId));
        }
    }

    private void scancel(List<String> args) throws IOException {
        if (exit.isDone()) {
            return;
        }
        Slurm.Result r = slurm.run("scancel", args);
        if (r.ok() && r.err().isEmpty()) {
            return;
        }
        if (gone(r.err()) || exit.isDone() || (!running && args.size() > 1)) {
            return; // ended already; or a signal to a job in the queue, which the cancel that follows ends
        }
        throw new IOException("scancel " + String.join(" ", args) + " (task " + launch.id() + ") failed (exit "
                + r.exit() + "): " + (r.err().isEmpty() ? "no message" : r.err()));
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
        } else if (base.equals("CANCELLED") || base.equals("TIMEOUT") || base.equals("DEADLINE")) {
            // Cancelled before its program ran (or no status recorded): the signal it was asked to end with.
            s = ExitStatus.signaled(lastSignal != 0 ? lastSignal : 15);
        } else { // OUT_OF_MEMORY without a status: the kernel's OOM killer
            s = ExitStatus.signaled(9);
        }
        return base.equals("TIMEOUT") ? s.asTimedOut() : s;
    }

    @Override
    public String toString() {
        return "SlurmJob{" + jobId + " " + launch.id() + "}";
    }
}
