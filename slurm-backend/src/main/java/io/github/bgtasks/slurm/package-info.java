/**
 * The Slurm backend: each task is a batch job ({@code sbatch}), watched with one
 * {@code squeue} query per poll for all jobs, stopped with {@code scancel}. The API is
 * {@link io.github.bgtasks.slurm.SlurmBackend} (with its builder) and
 * {@link io.github.bgtasks.slurm.SlurmResources}; the other classes are package-private.
 */
package io.github.bgtasks.slurm;
