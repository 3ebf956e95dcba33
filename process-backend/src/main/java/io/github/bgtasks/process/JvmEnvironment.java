package io.github.bgtasks.process;

import java.util.Map;

/**
 * Tells, cheaply, whether a task's environment is the JVM's own. The core gives every task
 * without variables of its own one and the same immutable map (the environment in a
 * {@code Launch} is always immutable), so once such a map was found equal to the JVM's
 * environment, which never changes, the next start that passes the same map needs no
 * comparison: that was a few dozen lookups and a copy per start (issue 8).
 */
final class JvmEnvironment {
    /** The last environment found equal to the JVM's, or null. */
    private static volatile Map<String, String> lastEqual;

    private JvmEnvironment() {
    }

    /**
     * @param env a task's complete environment, immutable
     * @return whether it is exactly the JVM's environment
     */
    static boolean isIt(Map<String, String> env) {
        if (env == lastEqual) {
            return true;
        }
        if (!env.equals(System.getenv())) {
            return false;
        }
        lastEqual = env;
        return true;
    }
}
