/**
 * What the backends that keep task records on disk share: the one record format of a launch.
 * Not an API: exported only to bgtasks' own backend modules.
 */
package io.github.bgtasks.internal.records;
