/**
 * The engine of watch mode: one {@link java.nio.file.WatchService} per file system for a whole
 * instance, and the debounce of each watching task. Not exported.
 */
package io.github.bgtasks.internal.watch;
