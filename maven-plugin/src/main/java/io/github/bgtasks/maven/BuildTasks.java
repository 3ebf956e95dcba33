package io.github.bgtasks.maven;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * The tasks that {@code start} executions of this build started, by execution id, so that
 * {@code stop} finds them in any module of the same build. Static, because Maven loads a plugin
 * once per build and shares it among the modules; keyed by the build's request, so that builds
 * embedded in one JVM (IDEs, the invoker) do not see each other's tasks.
 *
 * <p>The seam for tasks that outlive the build (issue 11, detached tasks on disk): a second
 * implementation of this role would write each execution's task ids under
 * {@code target/bgtasks/<id>} and re-adopt them, so that {@code stop} works from a later
 * {@code mvn} run and {@code start} stops what a killed build left. Until then a killed build's
 * tasks are stopped by the process backend's helper when the build's JVM dies.
 *
 * <p>Thread-safe.
 */
final class BuildTasks {
    private static final Map<Object, Map<String, Started>> BY_BUILD = Collections.synchronizedMap(new WeakHashMap<>());

    private BuildTasks() {
    }

    /**
     * @throws IllegalStateException if tasks of that id run already in this build
     */
    static void put(Object build, String id, Started started) {
        synchronized (BY_BUILD) {
            Map<String, Started> ids = BY_BUILD.computeIfAbsent(build, b -> new HashMap<>());
            if (ids.containsKey(id)) {
                throw new IllegalStateException("tasks of id '" + id + "' run already in this build: give this start "
                        + "execution another <id>, or stop those first");
            }
            ids.put(id, started);
        }
    }

    static Optional<Started> take(Object build, String id) {
        synchronized (BY_BUILD) {
            Map<String, Started> ids = BY_BUILD.get(build);
            return Optional.ofNullable(ids == null ? null : ids.remove(id));
        }
    }
}
