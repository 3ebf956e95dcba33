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

    /** Where and with what a task starts: its absolute working directory and complete environment. */
    record Checked(Path workingDirectory, Map<String, String> environment) {
    }

    /**
     * @throws IllegalArgumentException if the backend finds the working directory or the program unusable
     * @throws TaskStartException if the arguments or the environment are too large to pass
     */
    static Checked check(TaskSpec spec, Backend backend) {
        Path dir = backend.defaultWorkingDirectory().resolve(spec.workingDirectory().orElse(Path.of(""))).normalize();
        Map<String, String> env = new HashMap<>(backend.baseEnvironment());
        env.putAll(spec.environment());
        // Here, not in the spec: the complete environment exists only now.
        String who = spec.name().orElse(Text.abbreviate(spec.argv().get(0), Text.MAX_VALUE));
        ExecLimits.checkSizes(who, spec.argv(), env);
        backend.validate(spec.argv(), dir, env);
        return new Checked(dir, env);
    }
}
