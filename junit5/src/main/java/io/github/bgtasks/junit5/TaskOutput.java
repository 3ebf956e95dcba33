package io.github.bgtasks.junit5;

/**
 * Added to a failing test's exception as a suppressed one: the tasks' log paths and last lines,
 * so that the report shows what the servers said. Has no stack trace: it points at no code.
 */
final class TaskOutput extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TaskOutput(String report) {
        super(report, null, false, false);
    }
}
