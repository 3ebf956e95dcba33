/**
 * The SSH backend of bgtasks: tasks on remote hosts, each in a tmux session there, through the
 * system ssh client. The API is {@link io.github.bgtasks.ssh.SshBackend}; its implementation
 * stays in the package {@code io.github.bgtasks.ssh.internal}, which is not exported.
 */
module io.github.bgtasks.ssh {
    requires transitive io.github.bgtasks;
    requires io.github.bgtasks.tmux;
    requires org.slf4j;

    exports io.github.bgtasks.ssh;
}
