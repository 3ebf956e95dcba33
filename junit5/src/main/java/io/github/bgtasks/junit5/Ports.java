package io.github.bgtasks.junit5;

/**
 * Free TCP ports for the tasks of a {@link BackgroundTasksExtension}, by name: the first call for
 * a name picks a port that nothing listens on (on 127.0.0.1), later calls for that name, from
 * any task of the same start, return the same port. Pass it to the task as an argument or an
 * environment variable, and to its readiness; tests read it with
 * {@link BackgroundTasksExtension#port(String)}.
 *
 * <p>A port is free when it is picked; another program may take it before the task binds it.
 * Ports picked by one JVM are never handed out twice by it.
 *
 * <p>Implementations are thread-safe.
 */
public interface Ports {
    /**
     * @param name the port's name, such as {@code "http"}
     * @return the port, 1024 to 65535
     * @throws IllegalArgumentException if the name is blank
     * @throws java.io.UncheckedIOException if no port could be found
     */
    int port(String name);
}
