package io.github.bgtasks.process;

import io.github.bgtasks.spi.Backend;

/** {@link ArgumentsAndEnvironmentTest} on the JDK strategy (with {@code setsid}, as this machine has it). */
class JdkArgumentsAndEnvironmentTest extends ArgumentsAndEnvironmentTest {
    @Override
    Backend newBackend() {
        return ProcessBackend.jdk();
    }

    @Override
    boolean perlHelper() {
        return false;
    }
}
