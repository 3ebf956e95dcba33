/**
 * The SSH backend: tasks on remote hosts, each in its own session of a private tmux server
 * there, reached through the system {@code ssh} client with one multiplexed connection per
 * host. The API is {@link io.github.bgtasks.ssh.SshBackend} (with its builder) and
 * {@link io.github.bgtasks.ssh.Placement}; the implementation lives in
 * {@code io.github.bgtasks.ssh.internal}, which is not part of the API.
 */
package io.github.bgtasks.ssh;
