package io.github.bgtasks.benchmarks;

import java.util.List;

/**
 * One measured section of the report: its Markdown (heading, table, notes) and the issue's
 * targets it checked.
 *
 * @param markdown the section as Markdown
 * @param targets the targets checked, in the order of the report's summary table
 */
record Section(String markdown, List<Target> targets) {

    /**
     * One target of the issue and how the measurement fared.
     *
     * @param what the target, as the issue words it
     * @param measured the measured value
     * @param met whether the target was met
     */
    record Target(String what, String measured, boolean met) {
    }
}
