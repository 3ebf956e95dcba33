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

    private Fixtures() {
    }

    /** A launch as the core would build it, for tests that drive the backend directly. */
    static Launch launch(Path logDir, String name, Duration timeout, Duration grace, String... argv) throws IOException {
        Files.createDirectories(logDir);
        String id = name + "." + RUNS.incrementAndGet();
        Path log = Files.createFile(logDir.resolve(id + ".log"));
        return Launch.builder(id, name, List.of(argv))
                .workingDirectory(Path.of("").toAbsolutePath())
                .environment(Map.copyOf(System.getenv()))
                .logFile(log)
                .startedAt(Instant.now())
                .timeout(timeout)
                .stopGracePeriod(grace)
                .build();
    }

    /** @return the live processes whose command line contains the marker (such as {@code 3600.123}) */
    static List<ProcessHandle> withMarker(String marker) {
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false))
                .toList();
    }
}
