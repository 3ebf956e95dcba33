/**
 * The tmux backend: each task in its own session of a private tmux server, so that people can
 * attach to it and it outlives the JVM. The API is {@link io.github.bgtasks.tmux.TmuxBackend}
 * (with its builder) and its service provider; the implementation lives in
 * {@code io.github.bgtasks.tmux.internal}, which is not part of the API.
 */
package io.github.bgtasks.tmux;
