/**
 * What the health package and the core engine share, below both: the {@link
 * io.github.bgtasks.internal.health.Probe} a check runs, the narrow {@link
 * io.github.bgtasks.internal.health.Target} view of a task it runs on, and the {@link
 * io.github.bgtasks.internal.health.Access} bridge to the public types' probes. <b>Not API:</b>
 * public only so that both packages can reach it; the module does not export it.
 */
package io.github.bgtasks.internal.health;
