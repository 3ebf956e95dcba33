package io.github.bgtasks.process;

import io.github.bgtasks.spi.Backend;

/** {@link LogFilesTest} on the JDK strategy (with {@code setsid}, as this machine has it). */
class JdkLogFilesTest extends LogFilesTest {
    @Override
    Backend newBackend() {
        return ProcessBackend.jdk();
    }

    @Override
    boolean perlHelper() {
        return false;
    }
}
