package io.github.bgtasks.process;

/** {@link OutputBytesTest} on the JDK strategy (with {@code setsid}, as this machine has it). */
class JdkOutputBytesTest extends OutputBytesTest {
    @Override
    boolean perlHelper() {
        return false;
    }
}
