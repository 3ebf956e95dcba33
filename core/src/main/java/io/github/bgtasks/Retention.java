package io.github.bgtasks;

import io.github.bgtasks.internal.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * How long an instance keeps its finished tasks: a task is removed, with its log file and
 * whatever its backend kept about it (tmux: its state directory), once it is older than the
 * age, beyond the count, or its log is among the oldest that push the finished tasks' logs over
 * the total size. Limits combine: a task goes when any one of them says so.
 *
 * <pre>{@code
 * BackgroundTasks.builder()
 *         .retention(Retention.builder().maxAge(Duration.ofDays(7)).maxCount(200).maxTotalBytes(1L << 30).build())
 * }</pre>
 *
 * <p>Only finished tasks of the instance count, and only they are removed: never a running
 * task, nor its log, nor a file of the log directory that the instance does not know. Age is
 * counted from a task's end by the instance's clock; the count and the size keep the tasks
 * that ended last. The limits are applied each time a task ends
 * and on {@link BackgroundTasks#clean()}; call that on a schedule of your own for ages to take
 * effect while no task ends.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class Retention {
    private final Duration maxAge;
    private final Integer maxCount;
    private final Long maxTotalBytes;

    private Retention(Builder b) {
        this.maxAge = b.maxAge;
        this.maxCount = b.maxCount;
        this.maxTotalBytes = b.maxTotalBytes;
    }

    /**
     * Starts a retention; one with no limit set keeps every finished task.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return how long after its end a finished task is kept, if limited */
    public Optional<Duration> maxAge() {
        return Optional.ofNullable(maxAge);
    }

    /** @return how many finished tasks are kept, if limited */
    public OptionalInt maxCount() {
        return maxCount == null ? OptionalInt.empty() : OptionalInt.of(maxCount);
    }

    /** @return how many bytes the finished tasks' logs may take together, if limited */
    public OptionalLong maxTotalBytes() {
        return maxTotalBytes == null ? OptionalLong.empty() : OptionalLong.of(maxTotalBytes);
    }

    @Override
    public String toString() {
        return "Retention{" + (maxAge == null ? "" : "maxAge=" + Durations.format(maxAge) + " ")
                + (maxCount == null ? "" : "maxCount=" + maxCount + " ")
                + (maxTotalBytes == null ? "" : "maxTotalBytes=" + maxTotalBytes + " ") + "}";
    }

    /** Configures a {@link Retention}. Each limit may be set once. This class is not thread-safe. */
    public static final class Builder {
        private Duration maxAge;
        private Integer maxCount;
        private Long maxTotalBytes;

        private Builder() {
        }

        /**
         * Removes finished tasks that ended longer ago than this.
         *
         * @param age a positive duration
         * @return this builder
         */
        public Builder maxAge(Duration age) {
            Durations.requirePositive(age, "max age");
            if (maxAge != null) {
                throw new IllegalStateException("max age was already set to " + maxAge);
            }
            this.maxAge = age;
            return this;
        }

        /**
         * Keeps at most this many finished tasks, those that ended last.
         *
         * @param count at least 0
         * @return this builder
         */
        public Builder maxCount(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("max count must be at least 0, was " + count);
            }
            if (maxCount != null) {
                throw new IllegalStateException("max count was already set to " + maxCount);
            }
            this.maxCount = count;
            return this;
        }

        /**
         * Keeps the finished tasks' logs within this many bytes together, removing the tasks
         * that ended first.
         *
         * @param bytes at least 0
         * @return this builder
         */
        public Builder maxTotalBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("max total bytes must be at least 0, was " + bytes);
            }
            if (maxTotalBytes != null) {
                throw new IllegalStateException("max total bytes was already set to " + maxTotalBytes);
            }
            this.maxTotalBytes = bytes;
            return this;
        }

        /** @return the retention */
        public Retention build() {
            return new Retention(this);
        }

        @Override
        public String toString() {
            return "Retention.Builder" + Objects.toString(new Retention(this)).substring("Retention".length());
        }
    }
}
