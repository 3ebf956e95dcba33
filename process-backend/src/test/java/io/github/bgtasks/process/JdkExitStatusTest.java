package io.github.bgtasks.process;

import io.github.bgtasks.spi.Backend;

/** {@link ExitStatusTest} on the JDK strategy (with {@code setsid}, as this machine has it). */
class JdkExitStatusTest extends ExitStatusTest {
    @Override
    Backend newBackend() {
        return ProcessBackend.jdk();
    }

    @Override
    boolean perlHelper() {
        return false;
    }
}
