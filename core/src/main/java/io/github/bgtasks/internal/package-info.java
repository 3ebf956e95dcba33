/**
 * Helpers shared by the bgtasks modules. <b>Not API:</b> nothing here is covered by
 * compatibility promises; once the modules have a {@code module-info}, this package is exported
 * only to bgtasks' own modules.
 */
package io.github.bgtasks.internal;
