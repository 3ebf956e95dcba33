/**
 * Watch mode: {@link io.github.bgtasks.watch.WatchSpec} says which files a task watches, so that
 * it runs again when they change ({@code TaskSpec.Builder.watch}). A value package: it refers to
 * nothing else of bgtasks.
 */
package io.github.bgtasks.watch;
