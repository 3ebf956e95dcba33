package io.github.bgtasks.tmux;

import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Helpers shared by the tests. */
final class Fixtures {
    private static final AtomicInteger RUNS = new AtomicInteger();
    /**
     * How long a test waits for something that should happen: no speed limit (a machine may be
     * very busy), only a guard against hanging forever.
     */
    static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final java.util.Random RANDOM = new java.util.Random();

    private Fixtures() {
    }

    /** A launch as the core would build it, for tests that drive the backend directly. */
    static Launch launch(Path logDir, String name, Duration timeout, Duration grace, String... argv) throws IOException {
        return launch(logDir, name, Instant.now(), timeout, grace, argv);
    }

    /** A launch as the core would build it with its clock reading {@code startedAt}. */
    static Launch launch(Path logDir, String name, Instant startedAt, Duration timeout, Duration grace, String... argv)
            throws IOException {
        Files.createDirectories(logDir);
        String id = name + "." + RUNS.incrementAndGet();
        Path log = Files.createFile(logDir.resolve(id + ".log"));
        return Launch.builder(id, name, List.of(argv))
                .workingDirectory(Path.of("").toAbsolutePath())
                .environment(Map.copyOf(System.getenv()))
                .logFile(log)
                .startedAt(startedAt)
                .timeout(timeout)
                .stopGracePeriod(grace)
                .build();
    }

    /**
     * Returns a unique argument for {@code sleep} that marks a test's processes: 3600 seconds
     * and a random fraction, so that no other build's processes (or another test's) match.
     */
    static String marker() {
        return String.format(java.util.Locale.ROOT, "3600.%09d", RANDOM.nextInt(1_000_000_000));
    }

    /** Waits for the future as long as {@link #PATIENCE}. */
    static <T> T await(java.util.concurrent.Future<T> f) throws Exception {
        return f.get(PATIENCE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** @return the live processes whose command line contains the marker (such as {@code 3600.123}) */
    static List<ProcessHandle> withMarker(String marker) {
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false))
                .toList();
    }
}
