package io.github.bgtasks.spi;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a backend needs to start one task, already validated by the core.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class Launch {
    private final String id;
    private final String name;
    private final List<String> argv;
    private final Path workingDirectory;
    private final Map<String, String> environment;
    private final Path logFile;
    private final Instant startedAt;
    private final Duration timeout;
    private final Duration stopGracePeriod;

    private Launch(Builder b) {
        this.id = Objects.requireNonNull(b.id, "id");
        this.name = Objects.requireNonNull(b.name, "name");
        this.argv = List.copyOf(b.argv);
        this.workingDirectory = Objects.requireNonNull(b.workingDirectory, "workingDirectory");
        this.environment = Map.copyOf(b.environment);
        this.logFile = Objects.requireNonNull(b.logFile, "logFile");
        this.startedAt = Objects.requireNonNull(b.startedAt, "startedAt");
        this.timeout = b.timeout;
        this.stopGracePeriod = Objects.requireNonNull(b.stopGracePeriod, "stopGracePeriod");
    }

    /**
     * Starts a launch description.
     *
     * @param id unique id of this run, such as {@code build-main.3}: the name and a number
     *     unique within the log directory; it is also the log file's name without {@code .log}
     * @param name the task's name (unique among running tasks)
     * @param argv the program and its arguments, never interpreted by a shell
     * @return a builder
     */
    public static Builder builder(String id, String name, List<String> argv) {
        return new Builder(id, name, argv);
    }

    /** @return the unique id of this run, such as {@code build-main.3} */
    public String id() {
        return id;
    }

    /** @return the task's name */
    public String name() {
        return name;
    }

    /** @return the program and its arguments */
    public List<String> argv() {
        return argv;
    }

    /** @return the absolute working directory, which exists */
    public Path workingDirectory() {
        return workingDirectory;
    }

    /** @return the task's complete environment (not changes: every variable it gets) */
    public Map<String, String> environment() {
        return environment;
    }

    /** @return the log file, created and empty, readable by the owner only */
    public Path logFile() {
        return logFile;
    }

    /** @return when the task was started */
    public Instant startedAt() {
        return startedAt;
    }

    /** @return the timeout, counted from {@link #startedAt()}, if any */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** @return how long a stop waits after SIGTERM before it sends SIGKILL */
    public Duration stopGracePeriod() {
        return stopGracePeriod;
    }

    @Override
    public String toString() {
        return "Launch{" + id + " " + argv + " in " + workingDirectory + "}";
    }

    /** Builds a {@link Launch}. This class is not thread-safe. */
    public static final class Builder {
        private final String id;
        private final String name;
        private final List<String> argv;
        private Path workingDirectory;
        private Map<String, String> environment = Map.of();
        private Path logFile;
        private Instant startedAt;
        private Duration timeout;
        private Duration stopGracePeriod = Duration.ofSeconds(10);

        private Builder(String id, String name, List<String> argv) {
            this.id = id;
            this.name = name;
            this.argv = argv;
        }

        /**
         * Sets the absolute working directory.
         *
         * @param dir the absolute working directory
         * @return this builder
         */
        public Builder workingDirectory(Path dir) {
            this.workingDirectory = dir;
            return this;
        }

        /**
         * Sets the complete environment.
         *
         * @param env the complete environment
         * @return this builder
         */
        public Builder environment(Map<String, String> env) {
            this.environment = env;
            return this;
        }

        /**
         * Sets the log file.
         *
         * @param file the log file
         * @return this builder
         */
        public Builder logFile(Path file) {
            this.logFile = file;
            return this;
        }

        /**
         * Sets when the task started.
         *
         * @param at when the task started
         * @return this builder
         */
        public Builder startedAt(Instant at) {
            this.startedAt = at;
            return this;
        }

        /**
         * Sets the timeout, or {@code null} for none.
         *
         * @param limit the timeout, or {@code null} for none
         * @return this builder
         */
        public Builder timeout(Duration limit) {
            this.timeout = limit;
            return this;
        }

        /**
         * Sets the stop grace period.
         *
         * @param grace the stop grace period
         * @return this builder
         */
        public Builder stopGracePeriod(Duration grace) {
            this.stopGracePeriod = grace;
            return this;
        }

        /** @return the launch */
        public Launch build() {
            return new Launch(this);
        }
    }
}
