package io.github.bgtasks.junit5;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The ports of one start: picked on first use of a name. Thread-safe. */
final class FreePorts implements Ports {
    // Ports handed out by this JVM: the kernel may offer a just-closed port again at once.
    private static final Set<Integer> TAKEN = ConcurrentHashMap.newKeySet();

    private final Map<String, Integer> byName = new ConcurrentHashMap<>();

    @Override
    public int port(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("port name must not be blank, was " + (name == null ? "null" : "'" + name + "'"));
        }
        return byName.computeIfAbsent(name, n -> pick());
    }

    /** @return the ports picked so far, by name */
    Map<String, Integer> picked() {
        return Map.copyOf(byName);
    }

    private static int pick() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (TAKEN.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not find a free port on 127.0.0.1: " + e.getMessage(), e);
            }
        }
        throw new UncheckedIOException(new IOException("could not find a free port on 127.0.0.1 that this JVM has not handed out"));
    }
}
