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

    /** SIGTERM then SIGCONT to every process of the job ({@code scancel --full}); a pending job is cancelled. */
    @Override
    public void terminate() throws IOException {
        signal("TERM", 15);
        signal("CONT", 0);
    }

    /** SIGKILL to every process of the job; a pending job is cancelled. */
    @Override
    public void kill() throws IOException {
        signal("KILL", 9);
    }

    private void signal(String name, int number) throws IOException {
        if (exit.isDone()) {
            return;
        }
        if (number != 0) {
            lastSignal = number;
        }
        Slurm.Result r = slurm.run("scancel", List.of("--signal=" + name, "--full", jobId));
        if (r.ok() && r.err().isEmpty()) {
            return;
        }
        if (pending(r.err())) {
            if (number == 0) {
                return;
            }
            // Signals reach only running jobs; one that still waits in the queue is taken out of it.
            r = slurm.run("scancel", List.of(jobId));
            if (r.ok() && r.err().isEmpty()) {
                return;
            }
        }
        if (gone(r.err()) || exit.isDone()) {
            return;
        }
        throw new IOException("scancel of Slurm job " + jobId + " (task " + launch.id() + ") failed (exit " + r.exit()
                + "): " + (r.err().isEmpty() ? "no message" : r.err()));
    }

    private static boolean pending(String err) {
        return err.contains("can not be altered now") || err.contains("pending");
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
