/**
 * The health engine: runs the checks and readiness conditions of {@code io.github.bgtasks.health}
 * for each task on the instance's scheduler and a small pool, and raises alerts. <b>Not API:</b>
 * public only so that the core package can reach it; the module does not export it.
 */
package io.github.bgtasks.internal.health;
