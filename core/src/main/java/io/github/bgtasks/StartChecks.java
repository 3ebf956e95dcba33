package io.github.bgtasks;

import io.github.bgtasks.internal.Text;
import io.github.bgtasks.spi.Backend;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The checks of a start that need more than the spec: its complete environment and working
 * directory exist only on the backend's machine, so the backend supplies them and checks the
 * program there; the sizes that Linux can pass are checked here, for every backend. (The spec's
 * own values were checked when it was built.) This class is thread-safe.
 */
final class StartChecks {
    private StartChecks() {
    }

    /**
     * @return whether {@code env} is the one immutable copy of the JVM's environment that every
     *     task without variables of its own gets (so the same map for each start)
     */
    static boolean isShared(Map<String, String> env) {
        return env == JvmEnvironment.COPY;
    }

    /** The JVM's environment, which never changes while it runs, copied once when first needed. */
    private static final class JvmEnvironment {
        static final Map<String, String> COPY = Map.copyOf(System.getenv());
    }

    /** Where and with what a task starts: its absolute working directory and complete environment. */
    record Checked(Path workingDirectory, Map<String, String> environment) {
    }

    /**
     * @throws IllegalArgumentException if the backend finds the working directory or the program unusable
     * @throws TaskStartException if the arguments or the environment are too large to pass
     */
    static Checked check(TaskSpec spec, Backend backend) {
        Path cwd = backend.defaultWorkingDirectory();
        Path own = spec.workingDirectory().orElse(null);
        Path dir = (own == null ? cwd : cwd.resolve(own)).normalize();
        Map<String, String> base = backend.baseEnvironment();
        Map<String, String> env;
        if (spec.environment().isEmpty() && base == System.getenv()) {
            env = JvmEnvironment.COPY; // the common case: no copy, and its size is measured once
        } else {
            env = new HashMap<>(base);
            env.putAll(spec.environment());
        }
        // Here, not in the spec: the complete environment exists only now.
        String who = spec.name().orElse(Text.abbreviate(spec.argv().get(0), Text.MAX_VALUE));
        ExecLimits.checkSizes(who, spec.argv(), env);
        backend.validate(spec.argv(), dir, env);
        return new Checked(dir, env);
    }
}
