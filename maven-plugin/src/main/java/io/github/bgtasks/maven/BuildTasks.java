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
 * <p>Tasks kept after the build are also recorded on disk ({@link KeptTasks}): that is how a
 * later {@code mvn} run finds them.
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

    /** @return whether tasks of that id run in this build */
    static boolean has(Object build, String id) {
        synchronized (BY_BUILD) {
            Map<String, Started> ids = BY_BUILD.get(build);
            return ids != null && ids.containsKey(id);
        }
    }

    static Optional<Started> take(Object build, String id) {
        synchronized (BY_BUILD) {
            Map<String, Started> ids = BY_BUILD.get(build);
            return Optional.ofNullable(ids == null ? null : ids.remove(id));
        }
    }
}
