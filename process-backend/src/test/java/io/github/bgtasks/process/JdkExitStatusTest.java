package io.github.bgtasks.process;

/** {@link ExitStatusTest} on the JDK strategy (with {@code setsid}, as this machine has it). */
class JdkExitStatusTest extends ExitStatusTest {
    @Override
    boolean perlHelper() {
        return false;
    }
}
