/**
 * bgtasks: runs long commands in the background and keeps them under control. The API is
 * {@link io.github.bgtasks.BackgroundTasks} and its package; backends implement the SPI in
 * {@code io.github.bgtasks.spi} and are found with {@link java.util.ServiceLoader}.
 */
module io.github.bgtasks {
    requires org.slf4j;
    requires java.net.http;

    exports io.github.bgtasks;
    exports io.github.bgtasks.spi;
    exports io.github.bgtasks.health;
    exports io.github.bgtasks.board;
    exports io.github.bgtasks.watch;
    // Shared by bgtasks' own modules only: no promise to anyone else.
    exports io.github.bgtasks.internal to io.github.bgtasks.process, io.github.bgtasks.tmux, io.github.bgtasks.ssh,
            io.github.bgtasks.slurm;
    exports io.github.bgtasks.internal.records to io.github.bgtasks.process, io.github.bgtasks.tmux, io.github.bgtasks.ssh;
    exports io.github.bgtasks.internal.posix to io.github.bgtasks.process, io.github.bgtasks.tmux;

    uses io.github.bgtasks.spi.BackendProvider;
}
