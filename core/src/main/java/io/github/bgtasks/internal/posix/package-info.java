/**
 * What every local (POSIX) backend does alike, written once: task-name rules, finding
 * executables on {@code PATH}, reading {@code /proc/<pid>/stat}, decoding an exit or a signal,
 * private files and directories, daemon threads.
 *
 * <p><b>Not API:</b> the classes are public only so that bgtasks' own modules share them;
 * nothing here is covered by compatibility promises. Once the modules have a
 * {@code module-info}, this package is exported only to bgtasks' own modules.
 */
package io.github.bgtasks.internal.posix;
