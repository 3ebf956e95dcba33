/**
 * The Slurm backend of bgtasks: each task a batch job of a Slurm cluster. The API is
 * {@link io.github.bgtasks.slurm.SlurmBackend} and {@link io.github.bgtasks.slurm.SlurmResources}.
 */
module io.github.bgtasks.slurm {
    requires transitive io.github.bgtasks;
    requires org.slf4j;
    // zt-exec declares no module name: this one is derived from its jar's file name.
    requires zt.exec;

    exports io.github.bgtasks.slurm;
}
