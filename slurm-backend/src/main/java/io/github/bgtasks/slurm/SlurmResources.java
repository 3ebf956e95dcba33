package io.github.bgtasks.slurm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a job asks the cluster for: CPUs, memory and a partition (each unset by default, which
 * leaves it to the cluster's defaults). Values are checked here and passed to {@code sbatch} as
 * single arguments, never through a shell.
 *
 * <pre>{@code
 * SlurmResources r = SlurmResources.defaults().cpus(4).memoryMegabytes(8192).partition("batch");
 * }</pre>
 *
 * <p>This class is immutable and thread-safe.
 */
public final class SlurmResources {
    private static final Pattern PARTITION = Pattern.compile("[A-Za-z0-9_.,-]{1,128}");
    private static final SlurmResources DEFAULTS = new SlurmResources(0, 0, null);

    private final int cpus;
    private final long memoryMegabytes;
    private final String partition;

    private SlurmResources(int cpus, long memoryMegabytes, String partition) {
        this.cpus = cpus;
        this.memoryMegabytes = memoryMegabytes;
        this.partition = partition;
    }

    /** @return no request of its own: the cluster's defaults */
    public static SlurmResources defaults() {
        return DEFAULTS;
    }

    /**
     * Asks for CPUs ({@code --cpus-per-task}).
     *
     * @param count positive
     * @return a copy with this request
     */
    public SlurmResources cpus(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("cpus must be positive, was " + count);
        }
        return new SlurmResources(count, memoryMegabytes, partition);
    }

    /**
     * Asks for memory ({@code --mem}, in megabytes).
     *
     * @param megabytes positive
     * @return a copy with this request
     */
    public SlurmResources memoryMegabytes(long megabytes) {
        if (megabytes < 1) {
            throw new IllegalArgumentException("memory must be positive, was " + megabytes + " MB");
        }
        return new SlurmResources(cpus, megabytes, partition);
    }

    /**
     * Submits to a partition ({@code --partition}), or several separated by commas.
     *
     * @param name letters, digits, '_', '.', '-' and ','
     * @return a copy with this request
     */
    public SlurmResources partition(String name) {
        Objects.requireNonNull(name, "partition must not be null");
        if (!PARTITION.matcher(name).matches()) {
            throw new IllegalArgumentException("partition '" + name + "' is not a Slurm partition name; use letters, "
                    + "digits, '_', '.', '-', and ',' between several");
        }
        return new SlurmResources(cpus, memoryMegabytes, name);
    }

    /** @return the CPUs asked for, or 0 for the cluster's default */
    public int cpus() {
        return cpus;
    }

    /** @return the memory asked for in megabytes, or 0 for the cluster's default */
    public long memoryMegabytes() {
        return memoryMegabytes;
    }

    /** @return the partition, or {@code null} for the cluster's default */
    public String partition() {
        return partition;
    }

    /** The sbatch options for these requests. */
    List<String> sbatchOptions() {
        List<String> o = new ArrayList<>();
        if (cpus > 0) {
            o.add("--cpus-per-task=" + cpus);
        }
        if (memoryMegabytes > 0) {
            o.add("--mem=" + memoryMegabytes + "M");
        }
        if (partition != null) {
            o.add("--partition=" + partition);
        }
        return o;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SlurmResources r && r.cpus == cpus && r.memoryMegabytes == memoryMegabytes
                && Objects.equals(r.partition, partition);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cpus, memoryMegabytes, partition);
    }

    @Override
    public String toString() {
        return "SlurmResources" + sbatchOptions();
    }
}
