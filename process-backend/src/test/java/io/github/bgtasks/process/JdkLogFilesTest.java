package io.github.bgtasks.process;

/** {@link LogFilesTest} on the JDK strategy (with {@code setsid}, as this machine has it). */
class JdkLogFilesTest extends LogFilesTest {
    @Override
    boolean perlHelper() {
        return false;
    }
}
