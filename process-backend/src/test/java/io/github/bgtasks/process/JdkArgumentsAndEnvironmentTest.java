package io.github.bgtasks.process;

/** {@link ArgumentsAndEnvironmentTest} on the JDK strategy (with {@code setsid}, as this machine has it). */
class JdkArgumentsAndEnvironmentTest extends ArgumentsAndEnvironmentTest {
    @Override
    boolean perlHelper() {
        return false;
    }
}
