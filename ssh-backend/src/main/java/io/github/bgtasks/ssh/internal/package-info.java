/**
 * The SSH backend's implementation: not API, not exported.
 */
package io.github.bgtasks.ssh.internal;
