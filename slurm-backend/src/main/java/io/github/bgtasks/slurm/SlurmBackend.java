package io.github.bgtasks.slurm;

import io.github.bgtasks.internal.Durations;
import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each task as a batch job of a Slurm cluster, through Slurm's own client commands
 * ({@code sbatch}, {@code squeue}, {@code sacct}, {@code scancel}).
 *
 * <pre>{@code
 * Backend slurm = SlurmBackend.builder().resources(SlurmResources.defaults().cpus(4).partition("batch")).build();
 * try (BackgroundTasks tasks = BackgroundTasks.builder().backend(slurm).logDirectory(sharedDir).build()) {
 *     tasks.start(TaskSpec.builder("./simulate", "--steps", "1e9").name("sim").timeout(Duration.ofHours(2)).build());
 * }
 * }</pre>
 *
 * <p>What it needs: Slurm's client commands on this machine (Debian: {@code slurm-client}),
 * Perl on the compute nodes, and a file system that this machine and the compute nodes share
 * for the log directory, the state directory and the working directories (as usual on a
 * cluster: home or a project directory).
 *
 * <p>How a task maps to a job: {@code sbatch --parsable} submits a constant batch script and
 * passes it the task's argv as script arguments (an array: no shell sees them); the script
 * (Perl) sends stdout and stderr to the task's log, loads the task's environment from a file of
 * the state directory (mode 0600; the job deletes it once read), changes to the working
 * directory, runs the program in a process group of its own and ends the way the program ended,
 * so Slurm records the program's own exit code or signal. The task gets exactly its
 * environment plus Slurm's SLURM_* job variables that it does not set itself. A task's timeout
 * becomes the job's time limit (rounded up to whole minutes, Slurm's unit, with the stop grace
 * added), so it holds while no JVM watches; while one does, the core stops the task on time
 * itself. A job has no standard input (it reads /dev/null).
 *
 * <p>Watching: one thread per backend polls, every {@link Builder#pollInterval poll interval}
 * and only while jobs are watched, with ONE {@code squeue} call for all of its jobs (state and
 * wait status); a job that slurmctld has already forgotten is looked up in accounting
 * ({@code sacct}, one call for all such jobs). Stop: {@code scancel --batch --signal=TERM},
 * which the script forwards (with SIGCONT) to the program's process group, then, after the
 * grace, {@code --signal=USR2}, which it turns into SIGKILL for the group (scancel turns a
 * SIGKILL into Slurm's cancel, SIGTERM first and SIGKILL only after the cluster's KillWait); a
 * job still in the queue is cancelled. Closing the backend leaves jobs running (the default of {@code BackgroundTasks}
 * for this backend); a later backend with the same state directory finds them again
 * ({@link #discover()}).
 *
 * <p>Resources: {@link Builder#resources} for every job, and {@link Builder#resourcesByTask}
 * to choose them per task by its name (the SPI has no per-task backend options yet).
 *
 * <p>This class is thread-safe.
 */
public final class SlurmBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(SlurmBackend.class);
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern JOB_ID = Pattern.compile("[0-9]+");
    /** sbatch options that the backend sets itself. */
    private static final Set<String> OWN_OPTIONS = Set.of("--output", "--error", "--input", "--chdir", "--export",
            "--export-file", "--job-name", "--parsable", "--time", "--wrap", "--array", "--requeue", "--no-requeue",
            "--cpus-per-task", "--mem", "--partition", "--hold", "--wait", "-o", "-e", "-i", "-D", "-J", "-t", "-a",
            "-c", "-p", "-W", "-H");

    private final Slurm slurm;
    private final JobStore store;
    private final String namespace;
    private final SlurmResources resources;
    private final Function<String, SlurmResources> resourcesByTask;
    private final List<String> extraOptions;
    private final Duration unreachableLimit;
    private final ScheduledExecutorService poller;
    private final Map<String, SlurmJob> watched = new ConcurrentHashMap<>();
    private volatile long unreachableSince; // System.nanoTime() of the first failed poll in a row, 0 when fine
    private volatile boolean closed;
    private final AtomicLong polls = new AtomicLong();
    private final AtomicInteger mostJobsInOnePoll = new AtomicInteger();

    private SlurmBackend(Builder b) {
        this.namespace = b.namespace != null ? b.namespace : "bgtasks";
        this.slurm = new Slurm(b.binDirectory != null ? b.binDirectory.toString() : null,
                b.slurmConf != null ? b.slurmConf.toString() : null,
                b.callTimeout != null ? b.callTimeout : Duration.ofSeconds(30));
        this.resources = b.resources != null ? b.resources : SlurmResources.defaults();
        this.resourcesByTask = b.resourcesByTask;
        this.extraOptions = List.copyOf(b.options);
        this.unreachableLimit = b.unreachableLimit != null ? b.unreachableLimit : Duration.ofMinutes(5);
        Path dir = b.stateDirectory != null ? b.stateDirectory
                : Path.of(System.getProperty("user.home"), ".bgtasks-slurm", namespace);
        try {
            Slurm.Result v = slurm.run("sbatch", List.of("--version"));
            if (!v.ok()) {
                throw new IllegalStateException("'sbatch --version' failed (exit " + v.exit() + "): " + v.err());
            }
            this.store = new JobStore(dir.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("could not set up the Slurm backend: " + e.getMessage(), e);
        }
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bgtasks-slurm-poll");
            t.setDaemon(true);
            return t;
        });
        long every = (b.pollInterval != null ? b.pollInterval : Duration.ofSeconds(1)).toMillis();
        poller.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts configuring a backend.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return {@code "slurm"} */
    @Override
    public String name() {
        return "slurm";
    }

    /** @return {@code true}: jobs keep running when their {@code BackgroundTasks} closes, and a later one finds them */
    @Override
    public boolean keepsTasksOnClose() {
        return true;
    }

    /**
     * Submits the task as a batch job and returns once Slurm has accepted it: the job may still
     * wait in the queue (the task counts as running from now on, as its time does).
     *
     * @throws IOException if sbatch refused the job (the message is Slurm's) or could not run
     */
    @Override
    public BackendTask launch(Launch launch) throws IOException {
        requireOpen();
        SlurmResources r = resourcesByTask != null ? resourcesByTask.apply(launch.name()) : null;
        if (r == null) {
            r = resources;
        }
        store.writeEnvironment(launch);
        store.writeRecord(launch, null);
        List<String> args = new ArrayList<>(List.of("--parsable", "--job-name=" + namespace + "." + launch.id(),
                "--chdir=" + launch.workingDirectory(), "--output=/dev/null", "--error=/dev/null",
                "--no-requeue", "--export=ALL"));
        launch.timeout().ifPresent(t -> args.add("--time=" + timeLimitMinutes(t, launch.stopGracePeriod())));
        args.addAll(r.sbatchOptions());
        args.addAll(extraOptions);
        args.add(store.script().toString());
        args.add(launch.logFile().toString());
        args.add(store.envFile(launch.id()).toString());
        args.add(launch.workingDirectory().toString());
        args.addAll(launch.argv());
        Slurm.Result res;
        try {
            res = slurm.run("sbatch", args);
        } catch (IOException e) {
            store.delete(launch.id());
            throw e;
        }
        String jobId = res.out().trim().split(";")[0];
        if (!res.ok() || !JOB_ID.matcher(jobId).matches()) {
            store.delete(launch.id());
            throw new IOException("sbatch refused task " + launch.id() + " (exit " + res.exit() + "): "
                    + (res.err().isEmpty() ? res.out().trim() : res.err()));
        }
        store.writeRecord(launch, jobId);
        LOG.debug("task {} is Slurm job {}", launch.id(), jobId);
        return watch(new SlurmJob(launch, jobId, slurm, () -> forget(jobId, launch.id())));
    }

    /** Slurm counts time limits in whole minutes; the grace is added so that the core's own stop comes first. */
    static long timeLimitMinutes(Duration timeout, Duration grace) {
        long seconds = timeout.plus(grace).toSeconds() + 1;
        return Math.max(1, (seconds + 59) / 60);
    }

    private SlurmJob watch(SlurmJob job) {
        watched.put(job.jobId(), job);
        return job;
    }

    private void forget(String jobId, String id) {
        watched.remove(jobId);
        store.delete(id);
    }

    /**
     * Finds the jobs that an earlier instance with the same state directory submitted: each is
     * watched again, and one that has ended reports its status from Slurm at the next poll. A
     * record whose submission never finished (the JVM died inside sbatch) is reported lost. Only
     * one instance at a time should use a state directory.
     */
    @Override
    public List<BackendTask> discover() throws IOException {
        requireOpen();
        List<BackendTask> found = new ArrayList<>();
        for (JobStore.Found f : store.records()) {
            Launch l = f.launch();
            if (f.jobId() == null) {
                SlurmJob lost = new SlurmJob(l, "none", slurm, () -> store.delete(l.id()));
                lost.complete(ExitStatus.lost("the submission of task " + l.id() + " to Slurm did not finish "
                        + "(the JVM ended during sbatch); if a job named " + namespace + "." + l.id()
                        + " runs, cancel it with scancel"));
                found.add(lost);
            } else if (!watched.containsKey(f.jobId())) {
                found.add(watch(new SlurmJob(l, f.jobId(), slurm, () -> forget(f.jobId(), l.id()))));
                poller.execute(this::poll); // its state now, not after a poll interval
            }
        }
        return found;
    }

    /** One poll: one squeue call for every watched job, and one sacct call for those squeue no longer knows. */
    private void poll() {
        try {
            if (watched.isEmpty() || closed) {
                return;
            }
            List<String> ids = new ArrayList<>(watched.keySet());
            polls.incrementAndGet();
            mostJobsInOnePoll.accumulateAndGet(ids.size(), Math::max);
            Slurm.Result r = slurm.run("squeue", List.of("--noheader", "--states=all", "--jobs=" + String.join(",", ids),
                    "--Format=JobID:|,State:|,exit_code:|,Reason:|"));
            if (!r.ok() && !r.err().contains("Invalid job id")) {
                unreachable("squeue failed (exit " + r.exit() + "): " + r.err());
                return;
            }
            unreachableSince = 0;
            Set<String> missing = new HashSet<>(ids);
            for (String line : r.out().split("\n")) {
                String[] f = line.split("\\|", -1);
                SlurmJob job = f.length < 4 ? null : watched.get(f[0].trim());
                if (job == null) {
                    continue;
                }
                String id = f[0].trim();
                missing.remove(id);
                String state = f[1].trim();
                if (!state.equals("PENDING") && !state.equals("CONFIGURING")) {
                    job.seenRunning();
                }
                if (!SlurmJob.FINAL.contains(state)) {
                    job.killAgainIfDue(System.nanoTime());
                } else {
                    int status = f[2].trim().matches("[0-9]+") ? Integer.parseInt(f[2].trim()) : -1;
                    end(id, status, state, f[3].trim());
                }
            }
            if (!missing.isEmpty()) {
                fromAccounting(missing);
            }
        } catch (IOException | RuntimeException e) {
            unreachable(e.getMessage());
        }
    }

    private void end(String jobId, int waitStatus, String state, String reason) {
        SlurmJob job = watched.remove(jobId);
        if (job != null) {
            ExitStatus s = job.status(state, waitStatus, reason);
            LOG.debug("Slurm job {} (task {}) ended {}: {}", jobId, job.launch().id(), state, s);
            job.complete(s);
        }
    }

    /** Jobs that slurmctld has purged from memory (MinJobAge): their end is in accounting, if the cluster keeps it. */
    private void fromAccounting(Set<String> ids) throws IOException {
        Slurm.Result r = slurm.run("sacct", List.of("--noheader", "--parsable2", "--allocations",
                "--jobs=" + String.join(",", ids), "--format=JobID,State,ExitCode"));
        if (r.ok()) {
            for (String line : r.out().split("\n")) {
                String[] f = line.split("\\|", -1);
                if (f.length < 3 || !ids.contains(f[0]) || !SlurmJob.FINAL.contains(f[1].split(" ")[0])) {
                    continue;
                }
                ids.remove(f[0]);
                String[] codeSignal = f[2].split(":");
                int code = Integer.parseInt(codeSignal[0]);
                int signal = codeSignal.length > 1 ? Integer.parseInt(codeSignal[1]) : 0;
                end(f[0], signal != 0 ? signal & 0x7f : (code & 0xff) << 8, f[1], null);
            }
        }
        String why = r.ok() ? "accounting has no end for it" : "accounting cannot be asked (" + r.err() + ")";
        for (String id : ids) {
            SlurmJob job = watched.remove(id);
            if (job != null) {
                job.complete(ExitStatus.lost("Slurm job " + id + " is no longer known to slurmctld and " + why));
            }
        }
    }

    private void unreachable(String message) {
        long now = System.nanoTime();
        if (unreachableSince == 0) {
            unreachableSince = now;
            LOG.warn("could not ask Slurm for the state of {} jobs: {}", watched.size(), message);
        } else if (now - unreachableSince > unreachableLimit.toNanos()) {
            String reason = "Slurm did not answer for longer than " + unreachableLimit.toSeconds() + " s: " + message;
            for (String id : new ArrayList<>(watched.keySet())) {
                SlurmJob job = watched.remove(id);
                if (job != null) {
                    job.complete(ExitStatus.lost(reason));
                }
            }
            unreachableSince = 0;
        }
    }

    /** Stops polling. Jobs keep running (the core has stopped those it had to stop). */
    @Override
    public void close() {
        closed = true;
        poller.shutdownNow();
    }

    /** Primarily for tests: how many squeue calls this backend made. */
    long squeueCalls() {
        return slurm.squeueCalls();
    }

    /** Primarily for tests: how many polls asked Slurm (those with jobs to watch). */
    long polls() {
        return polls.get();
    }

    /** Primarily for tests: the most jobs that one poll asked about. */
    int mostJobsInOnePoll() {
        return mostJobsInOnePoll.get();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this SlurmBackend is closed; create a new one");
        }
    }

    @Override
    public String toString() {
        return "SlurmBackend{" + namespace + ", " + store.directory() + ", " + resources + "}";
    }

    /** Configures a {@link SlurmBackend}. Each option may be set once. This class is not thread-safe. */
    public static final class Builder {
        private Path stateDirectory;
        private String namespace;
        private Path slurmConf;
        private Path binDirectory;
        private SlurmResources resources;
        private Function<String, SlurmResources> resourcesByTask;
        private final List<String> options = new ArrayList<>();
        private Duration pollInterval;
        private Duration unreachableLimit;
        private Duration callTimeout;

        private Builder() {
        }

        /**
         * Sets the state directory (created with mode 0700): job records and environment files.
         * It must be on a file system that the compute nodes share. Default
         * {@code ~/.bgtasks-slurm/<namespace>}.
         *
         * @param directory the directory
         * @return this builder
         */
        public Builder stateDirectory(Path directory) {
            Objects.requireNonNull(directory, "state directory must not be null");
            requireUnset(stateDirectory == null, "state directory");
            this.stateDirectory = directory.toAbsolutePath();
            return this;
        }

        /**
         * Sets the namespace: the prefix of the job names ({@code <namespace>.<task id>}) and of
         * the default state directory. Default {@code bgtasks}.
         *
         * @param name letters, digits, '_', '-' and '.'; at most 64
         * @return this builder
         */
        public Builder namespace(String name) {
            Objects.requireNonNull(name, "namespace must not be null");
            if (!NAMESPACE.matcher(name).matches()) {
                throw new IllegalArgumentException("namespace '" + name + "' is not allowed; use 1 to 64 letters, "
                        + "digits, '_', '-' and '.'");
            }
            requireUnset(namespace == null, "namespace");
            this.namespace = name;
            return this;
        }

        /**
         * Sets the Slurm configuration file that the commands use ({@code SLURM_CONF}). Default:
         * SLURM_CONF of the JVM's environment, or Slurm's own default.
         *
         * @param file the slurm.conf
         * @return this builder
         */
        public Builder slurmConf(Path file) {
            Objects.requireNonNull(file, "slurm.conf must not be null");
            requireUnset(slurmConf == null, "slurm.conf");
            this.slurmConf = file.toAbsolutePath();
            return this;
        }

        /**
         * Sets the directory of sbatch, squeue, sacct and scancel. Default: found on the PATH.
         *
         * @param directory the directory
         * @return this builder
         */
        public Builder binDirectory(Path directory) {
            Objects.requireNonNull(directory, "bin directory must not be null");
            requireUnset(binDirectory == null, "bin directory");
            this.binDirectory = directory.toAbsolutePath();
            return this;
        }

        /**
         * Sets what every job asks for, unless {@link #resourcesByTask} says otherwise. Default:
         * the cluster's defaults.
         *
         * @param r the requests
         * @return this builder
         */
        public Builder resources(SlurmResources r) {
            Objects.requireNonNull(r, "resources must not be null");
            requireUnset(resources == null, "resources");
            this.resources = r;
            return this;
        }

        /**
         * Chooses the requests of each job by its task's name; a {@code null} answer means
         * {@link #resources}. Called on the thread that starts the task.
         *
         * @param byName from the task's name to its requests
         * @return this builder
         */
        public Builder resourcesByTask(Function<String, SlurmResources> byName) {
            Objects.requireNonNull(byName, "resourcesByTask must not be null");
            requireUnset(resourcesByTask == null, "resourcesByTask");
            this.resourcesByTask = byName;
            return this;
        }

        /**
         * Adds an sbatch option for every job, such as {@code --account=proj1} or
         * {@code --qos=short}, passed as one argument. Options that the backend sets itself
         * (output, working directory, environment, job name, time limit, resources) are refused.
         *
         * @param option {@code --name=value} or {@code --flag}
         * @return this builder
         */
        public Builder sbatchOption(String option) {
            Objects.requireNonNull(option, "sbatch option must not be null");
            if (!option.matches("--[a-z][a-z-]*(=[^\\n]*)?")) {
                throw new IllegalArgumentException("sbatch option '" + option + "' must be of the form --name=value "
                        + "or --flag");
            }
            String name = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
            if (OWN_OPTIONS.contains(name)) {
                throw new IllegalArgumentException("sbatch option " + name + " is set by the backend itself; "
                        + "use the task's spec or SlurmBackend.builder().resources(...) instead");
            }
            options.add(option);
            return this;
        }

        /**
         * Sets how often the jobs' states are asked for (one squeue call for all jobs). It is
         * also the latency of exit notices. Default 1 second.
         *
         * @param interval at least 50 ms
         * @return this builder
         */
        public Builder pollInterval(Duration interval) {
            Objects.requireNonNull(interval, "poll interval must not be null");
            if (interval.toMillis() < 50) {
                throw new IllegalArgumentException("poll interval must be at least 50 ms, was " + interval.toMillis()
                        + " ms; slurmctld answers every client, so keep it modest");
            }
            requireUnset(pollInterval == null, "poll interval");
            this.pollInterval = interval;
            return this;
        }

        /**
         * Sets how long Slurm may stay unreachable before the watched jobs are reported LOST.
         * Default 5 minutes.
         *
         * @param limit positive
         * @return this builder
         */
        public Builder unreachableLimit(Duration limit) {
            requireUnset(unreachableLimit == null, "unreachable limit");
            this.unreachableLimit = Durations.requirePositive(limit, "unreachable limit");
            return this;
        }

        /**
         * Sets how long one Slurm command may take. Default 30 seconds.
         *
         * @param limit positive
         * @return this builder
         */
        public Builder callTimeout(Duration limit) {
            requireUnset(callTimeout == null, "call timeout");
            this.callTimeout = Durations.requirePositive(limit, "call timeout");
            return this;
        }

        private static void requireUnset(boolean unset, String what) {
            if (!unset) {
                throw new IllegalStateException(what + " was already set");
            }
        }

        /**
         * Builds the backend: checks that sbatch runs and creates the state directory.
         *
         * @return the backend
         * @throws UncheckedIOException if sbatch cannot run or the state directory cannot be created
         * @throws IllegalStateException if sbatch fails
         */
        public SlurmBackend build() {
            return new SlurmBackend(this);
        }
    }
}
