/**
 * The tmux backend of bgtasks: each task in its own tmux session, so tasks outlive the JVM.
 * The API is {@link io.github.bgtasks.tmux.TmuxBackend}; its implementation stays in the
 * package {@code io.github.bgtasks.tmux.internal}, which is not exported.
 */
module io.github.bgtasks.tmux {
    requires transitive io.github.bgtasks;
    requires org.slf4j;
    // zt-exec declares no module name: this one is derived from its jar's file name.
    requires zt.exec;

    exports io.github.bgtasks.tmux;
    // The SSH backend runs the same wrapper and server settings on remote hosts.
    exports io.github.bgtasks.tmux.internal to io.github.bgtasks.ssh;

    provides io.github.bgtasks.spi.BackendProvider with io.github.bgtasks.tmux.TmuxBackendProvider;
}
