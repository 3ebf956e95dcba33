/**
 * The tmux backend's implementation: not part of the API; may change without notice. Use
 * {@code io.github.bgtasks.tmux.TmuxBackend}.
 *
 * <p>The parts, each owning its own state; {@code TmuxBackend} wires them, and none of them
 * refers back to it:
 * <ul>
 *   <li>{@link io.github.bgtasks.tmux.internal.TmuxClient}: tmux calls with time limits, each by a tmux client
 *       process or through the keeper, a control-mode client that keeps the server warm ({@code ControlChannel});</li>
 *   <li>{@link io.github.bgtasks.tmux.internal.ServerAddress}: the private server's socket and configuration;</li>
 *   <li>{@link io.github.bgtasks.tmux.internal.Sessions}: the tasks' sessions (create and confirm, probe, list, type, kill);</li>
 *   <li>{@link io.github.bgtasks.tmux.internal.TaskStarter}: starts a task with the go handshake;</li>
 *   <li>{@link io.github.bgtasks.tmux.internal.TaskRecords}, {@link io.github.bgtasks.tmux.internal.OwnerLock},
 *       {@link io.github.bgtasks.tmux.internal.Ownership}: task records, instance locks, and who owns which task's state;</li>
 *   <li>{@link io.github.bgtasks.tmux.internal.EndWatcher}: notices task ends (file events and a sweep);</li>
 *   <li>{@link io.github.bgtasks.tmux.internal.Wrapper}, {@link io.github.bgtasks.tmux.internal.Tools}: the
 *       wrapper script and the helper programs it and the backend use;</li>
 *   <li>{@link io.github.bgtasks.tmux.internal.TmuxTask}: one task; {@link io.github.bgtasks.tmux.internal.Chores}:
 *       the backend's background thread and closed state; {@link io.github.bgtasks.tmux.internal.Timing}: its
 *       ticker and every delay and limit it applies; {@link io.github.bgtasks.tmux.internal.StateFiles}:
 *       file chores of its own (the rest is {@code io.github.bgtasks.internal.posix}, shared with other backends).</li>
 * </ul>
 */
package io.github.bgtasks.tmux.internal;
