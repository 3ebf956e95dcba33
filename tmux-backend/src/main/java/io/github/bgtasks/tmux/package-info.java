/**
 * The tmux backend: each task in its own session of a private tmux server, so that people can
 * attach to it and it outlives the JVM. The only public types are {@link
 * io.github.bgtasks.tmux.TmuxBackend} and its service provider; everything else is internal.
 */
package io.github.bgtasks.tmux;
