package io.github.bgtasks;

import io.github.bgtasks.internal.Durations;
import io.github.bgtasks.internal.Text;
import io.github.bgtasks.internal.posix.TaskNames;
import io.github.bgtasks.health.HealthCheck;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.health.RestartPolicy;
import io.github.bgtasks.watch.WatchSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What to run: a program and its arguments (never interpreted by a shell), a name, a working
 * directory, environment changes, a timeout.
 *
 * <pre>{@code
 * TaskSpec spec = TaskSpec.builder("npm", "run", "build")
 *         .name("build-main")
 *         .workingDirectory(Path.of("webapp"))
 *         .environment(Map.of("CI", "true"))
 *         .timeout(Duration.ofMinutes(10))
 *         .build();
 * }</pre>
 *
 * <p>A shell is used only when asked for with {@link #shell(String)}.
 *
 * <p>Every backend passes the command and the environment to the program as Linux
 * {@code execve(2)} does, so the same limits hold whatever the backend. Text must have no NUL
 * characters or unpaired surrogates, checked here. Sizes are checked by {@code start}, when
 * the JVM's environment and these changes are merged: at most 131,071 bytes in UTF-8 for one
 * argument or one {@code NAME=value}, and at most 1 MiB for the command and the task's
 * complete environment together (each string counted with its NUL and an 8-byte pointer).
 *
 * <p>This class is immutable and thread-safe.
 */
public final class TaskSpec {
    private final List<String> argv;
    private final String name;
    private final Path workingDirectory;
    private final Map<String, String> environment;
    private final Duration timeout;
    private final Duration stopGracePeriod;
    private final Readiness readiness;
    private final Duration readinessDeadline;
    private final List<HealthCheck> healthChecks;
    private final RestartPolicy restart;
    private final WatchSpec watch;

    private TaskSpec(Builder b) {
        this.argv = b.argv;
        this.name = b.name;
        this.workingDirectory = b.workingDirectory;
        this.environment = b.environment.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(b.environment));
        this.timeout = b.timeout;
        this.stopGracePeriod = b.stopGracePeriod;
        this.readiness = b.readiness;
        this.readinessDeadline = b.readinessDeadline;
        this.healthChecks = List.copyOf(b.healthChecks);
        this.restart = b.restart != null ? b.restart : RestartPolicy.never();
        this.watch = b.watch;
    }

    private TaskSpec(TaskSpec from, String name) {
        this.argv = from.argv;
        this.name = name;
        this.workingDirectory = from.workingDirectory;
        this.environment = from.environment;
        this.timeout = from.timeout;
        this.stopGracePeriod = from.stopGracePeriod;
        this.readiness = from.readiness;
        this.readinessDeadline = from.readinessDeadline;
        this.healthChecks = from.healthChecks;
        this.restart = from.restart;
        this.watch = from.watch;
    }

    /** A copy under another name: a group or pipeline names the tasks it queues before they start. */
    TaskSpec withName(String newName) {
        return newName.equals(name) ? this : new TaskSpec(this, newName);
    }

    /**
     * Starts a spec for a program and its arguments. The program is looked up on the task's
     * {@code PATH} unless it contains a {@code /}.
     *
     * @param argv the program, then its arguments
     * @return a builder
     * @throws IllegalArgumentException if argv is empty, the program is blank, or an argument
     *     contains a NUL character or an unpaired surrogate; the message names the argument by
     *     its index
     */
    public static Builder builder(String... argv) {
        return new Builder(Arrays.asList(Objects.requireNonNull(argv, "argv must not be null")));
    }

    /**
     * Starts a spec for a program and its arguments.
     *
     * @param argv the program, then its arguments
     * @return a builder
     * @throws IllegalArgumentException if argv is empty, the program is blank, or an argument
     *     contains a NUL character or an unpaired surrogate; the message names the argument by
     *     its index
     */
    public static Builder builder(List<String> argv) {
        return new Builder(Objects.requireNonNull(argv, "argv must not be null"));
    }

    /**
     * Starts a spec that runs a script with {@code /bin/sh -c}: the only way bgtasks ever uses
     * a shell. The script is passed as one argument, so nothing else is interpreted.
     *
     * @param script the shell script, such as {@code "npm test && npm run lint"}
     * @return a builder
     * @throws IllegalArgumentException if the script is blank, or is not a valid argument (see
     *     {@link #builder(String...)}); the script is {@code argv[2]}
     */
    public static Builder shell(String script) {
        Objects.requireNonNull(script, "script must not be null");
        if (script.isBlank()) {
            throw new IllegalArgumentException("shell script must not be blank");
        }
        return new Builder(List.of("/bin/sh", "-c", script));
    }

    /** @return the program and its arguments */
    public List<String> argv() {
        return argv;
    }

    /** @return the name, if one was set; otherwise {@code start} derives one from the program */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** @return the working directory, if set; otherwise the JVM's current directory */
    public Optional<Path> workingDirectory() {
        return Optional.ofNullable(workingDirectory);
    }

    /** @return variables added to (or replacing those of) the JVM's environment */
    public Map<String, String> environment() {
        return environment;
    }

    /** @return the timeout, if any */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** @return this task's stop grace period, if it overrides the instance's */
    public Optional<Duration> stopGracePeriod() {
        return Optional.ofNullable(stopGracePeriod);
    }

    /** @return when the task counts as ready, if it says */
    public Optional<Readiness> readiness() {
        return Optional.ofNullable(readiness);
    }

    /** @return how long the task may take to be ready, when it has a readiness */
    public Optional<Duration> readinessDeadline() {
        return Optional.ofNullable(readinessDeadline);
    }

    /** @return the health checks, in the order they were added */
    public List<HealthCheck> healthChecks() {
        return healthChecks;
    }

    /** @return when the task is started again after it ended; {@link RestartPolicy#never()} by default */
    public RestartPolicy restart() {
        return restart;
    }

    /** @return what the task watches to run again when files change, if it is in watch mode */
    public Optional<WatchSpec> watch() {
        return Optional.ofNullable(watch);
    }

    @Override
    public String toString() {
        return "TaskSpec{" + (name == null ? "" : name + " ") + Text.command(argv)
                + (workingDirectory == null ? "" : " in " + workingDirectory)
                + (environment.isEmpty() ? "" : " env " + environment.keySet())
                + (timeout == null ? "" : " timeout " + timeout)
                + (readiness == null ? "" : " ready " + readiness)
                + (healthChecks.isEmpty() ? "" : " checks " + healthChecks.stream().map(HealthCheck::name).toList())
                + (restart == RestartPolicy.never() ? "" : " " + restart)
                + (watch == null ? "" : " " + watch) + "}";
    }

    /**
     * Builds a {@link TaskSpec}. Each option may be set once. This class is not thread-safe.
     */
    public static final class Builder {
        private final List<String> argv;
        private String name;
        private Path workingDirectory;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private boolean environmentSet;
        private Duration timeout;
        private Duration stopGracePeriod;
        private Readiness readiness;
        private Duration readinessDeadline;
        private final List<HealthCheck> healthChecks = new ArrayList<>();
        private RestartPolicy restart;
        private WatchSpec watch;

        private Builder(List<String> argv) {
            if (argv.isEmpty()) {
                throw new IllegalArgumentException("argv must not be empty: give the program to run, "
                        + "then its arguments");
            }
            for (int i = 0; i < argv.size(); i++) {
                ExecLimits.checkText("argv[" + i + "]", Objects.requireNonNull(argv.get(i), "argv[" + i + "] must not be null"));
            }
            if (argv.get(0).isBlank()) {
                throw new IllegalArgumentException("the program (argv[0]) must not be blank");
            }
            this.argv = List.copyOf(argv);
        }

        /**
         * Names the task. Names are unique among running tasks and appear in log file names
         * and tmux session names.
         *
         * @param name 1 to 64 letters, digits, {@code _} and {@code -}, not starting with {@code -}
         * @return this builder
         * @throws IllegalArgumentException if the name has other characters
         */
        public Builder name(String name) {
            TaskNames.check(name);
            if (this.name != null) {
                throw new IllegalStateException("name was already set to " + this.name);
            }
            this.name = name;
            return this;
        }

        /**
         * Sets the working directory; relative paths are resolved against the JVM's current
         * directory. It must exist when the task starts.
         *
         * @param dir the directory
         * @return this builder
         */
        public Builder workingDirectory(Path dir) {
            Objects.requireNonNull(dir, "working directory must not be null");
            ExecLimits.checkText("working directory", dir.toString());
            if (this.workingDirectory != null) {
                throw new IllegalStateException("working directory was already set to " + workingDirectory);
            }
            this.workingDirectory = dir;
            return this;
        }

        /**
         * Adds variables to the task's environment, which starts as the JVM's environment at
         * {@code start}. A variable given here replaces the JVM's.
         *
         * @param variables names and values; names are non-empty and have no {@code =} or NUL
         * @return this builder
         * @throws IllegalArgumentException if a name or value contains a NUL character or an
         *     unpaired surrogate; the message names the variable
         */
        public Builder environment(Map<String, String> variables) {
            Objects.requireNonNull(variables, "environment must not be null");
            if (environmentSet) {
                throw new IllegalStateException("environment was already set to " + environment.keySet());
            }
            environmentSet = true;
            variables.forEach(this::putVariable);
            return this;
        }

        private void putVariable(String key, String value) {
            Objects.requireNonNull(key, "environment variable name must not be null");
            Objects.requireNonNull(value, "value of environment variable " + key + " must not be null");
            if (key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment variable name '" + Text.abbreviate(TaskNames.printable(key),
                        Text.MAX_VALUE) + "' is invalid: it must be non-empty and contain no '=' or NUL");
            }
            ExecLimits.checkText("environment variable name '" + Text.abbreviate(key, Text.MAX_VALUE) + "'", key);
            ExecLimits.checkText("value of environment variable " + Text.abbreviate(key, Text.MAX_VALUE), value);
            environment.put(key, value);
        }

        /**
         * Ends the task if it still runs after this long: SIGTERM to its whole process tree,
         * then SIGKILL after the stop grace period. The task then ends as
         * {@link TaskState#TIMED_OUT}.
         *
         * @param limit a positive duration
         * @return this builder
         */
        public Builder timeout(Duration limit) {
            Durations.requirePositive(limit, "timeout");
            if (this.timeout != null) {
                throw new IllegalStateException("timeout was already set to " + timeout);
            }
            this.timeout = limit;
            return this;
        }

        /**
         * Overrides, for this task, how long a stop waits after SIGTERM before SIGKILL.
         *
         * @param grace a positive duration
         * @return this builder
         */
        public Builder stopGracePeriod(Duration grace) {
            Durations.requirePositive(grace, "stop grace period");
            if (this.stopGracePeriod != null) {
                throw new IllegalStateException("stop grace period was already set to " + stopGracePeriod);
            }
            this.stopGracePeriod = grace;
            return this;
        }

        /**
         * Says when the task is ready for use; see {@link TaskHandle#onReady()}. The task's
         * health checks start once it is ready (each after its initial delay), so that a server
         * still booting is not reported, or restarted, as broken.
         *
         * @param readiness the conditions, such as {@code Readiness.logLine(Pattern.compile("Listening on"))}
         * @param deadline how long after the start they may take, positive
         * @return this builder
         */
        public Builder readiness(Readiness readiness, Duration deadline) {
            Objects.requireNonNull(readiness, "readiness must not be null");
            Durations.requirePositive(deadline, "readiness deadline");
            if (this.readiness != null) {
                throw new IllegalStateException("readiness was already set to " + this.readiness);
            }
            this.readiness = readiness;
            this.readinessDeadline = deadline;
            return this;
        }

        /**
         * Adds a health check, run every period while the task runs; see
         * {@link TaskHandle#health()} and {@link TaskHandle#addAlertListener}. Checks add up.
         *
         * @param check the check, such as {@code HealthCheck.newErrors().every(Duration.ofMinutes(5))}
         * @return this builder
         * @throws IllegalArgumentException if a check of the same name was added
         */
        public Builder healthCheck(HealthCheck check) {
            Objects.requireNonNull(check, "health check must not be null");
            for (HealthCheck c : healthChecks) {
                if (c.name().equals(check.name())) {
                    throw new IllegalArgumentException("a health check named '" + check.name()
                            + "' was already added; each check of a task needs its own name");
                }
            }
            healthChecks.add(check);
            return this;
        }

        /**
         * Starts the task again after it ends, as the policy says. Each run has its own id, log
         * file and result; the handle that {@code start} returns follows the current run, its
         * completion listeners hear every run, and its {@code onExit()} completes with the last
         * run's result once the restarting has ended (given up, or stopped). A stop of the handle
         * or of a run, and closing the instance, end the restarting.
         *
         * @param policy such as {@code RestartPolicy.onFailure().maxRestarts(3)}
         * @return this builder
         */
        public Builder restart(RestartPolicy policy) {
            Objects.requireNonNull(policy, "restart policy must not be null");
            if (this.restart != null) {
                throw new IllegalStateException("restart policy was already set to " + this.restart);
            }
            this.restart = policy;
            return this;
        }

        /**
         * Puts the task in watch mode: it runs again whenever files it watches change. Once the
         * files have been quiet for the debounce, the current run is stopped gracefully (as
         * {@code stop()}: SIGTERM, the grace period, SIGKILL) and, once it has ended, a new run
         * starts; a run that has ended by itself meanwhile is simply followed by a new one. As
         * with a {@linkplain #restart(RestartPolicy) restart policy} (both may be set), each run
         * has its own id, log and result, the handle's listeners hear every run, and the handle
         * follows the current one; the watching ends, and {@code onExit()} completes, when the
         * handle is stopped or the instance closed. A run that ends by itself does not end the
         * watching. All watching tasks of an instance share one file watcher.
         *
         * @param spec what to watch, such as {@code WatchSpec.builder(Path.of("src")).build()}
         * @return this builder
         */
        public Builder watch(WatchSpec spec) {
            Objects.requireNonNull(spec, "watch spec must not be null");
            if (this.watch != null) {
                throw new IllegalStateException("watch was already set to " + this.watch);
            }
            this.watch = spec;
            return this;
        }

        /** @return the spec */
        public TaskSpec build() {
            return new TaskSpec(this);
        }

        @Override
        public String toString() {
            return "TaskSpec.Builder" + new TaskSpec(this).toString().substring("TaskSpec".length());
        }
    }
}
