/**
 * Supervision of running tasks: {@link io.github.bgtasks.health.Readiness readiness} (when a
 * task is ready for use), scheduled {@link io.github.bgtasks.health.HealthCheck health checks},
 * {@link io.github.bgtasks.health.Alert alerts} when a task turns unhealthy, recovers or fails,
 * and {@link io.github.bgtasks.health.Hints hints} that turn known causes into one line.
 *
 * <p>All checks of an instance share its scheduler; checks that wait (TCP, HTTP, checks written
 * in Java, log and {@code /proc} reads) run off it, each cut by its own timeout.
 */
package io.github.bgtasks.health;
