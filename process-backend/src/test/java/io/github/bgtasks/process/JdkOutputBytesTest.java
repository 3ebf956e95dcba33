package io.github.bgtasks.process;

import io.github.bgtasks.spi.Backend;

/** {@link OutputBytesTest} on the JDK strategy (with {@code setsid}, as this machine has it). */
class JdkOutputBytesTest extends OutputBytesTest {
    @Override
    Backend newBackend() {
        return ProcessBackend.jdk();
    }

    @Override
    boolean perlHelper() {
        return false;
    }
}
