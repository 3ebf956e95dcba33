package io.github.bgtasks.tmux;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.spi.BackendTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quick measure of how soon an exit is noticed: from the task's last instruction (a
 * timestamp it writes) to the completion of the backend's exit future. The benchmarks module
 * has the official numbers; this guards against a regression to polling.
 */
class ExitLatencyTest {
    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();

    @TempDir
    Path tmp;

    @Test
    void exitIsNoticedWithinMilliseconds() throws Exception {
        List<Double> millis = new ArrayList<>();
        try (TmuxBackend backend = SERVER.backend()) {
            for (int i = 0; i < 30; i++) {
                Path stamp = tmp.resolve("stamp-" + i);
                BackendTask t = backend.launch(Fixtures.launch(tmp.resolve("logs"), "lat-" + i, null, Duration.ofSeconds(5),
                        "sh", "-c", "sleep 0.05; date +%s%N > \"$1\"", "sh", stamp.toString()));
                Instant[] seen = new Instant[1];
                t.exit().thenRun(() -> seen[0] = Instant.now()).get(10, TimeUnit.SECONDS);
                long endNanos = Long.parseLong(Files.readString(stamp).trim());
                Instant end = Instant.ofEpochSecond(0, endNanos);
                millis.add(Duration.between(end, seen[0]).toNanos() / 1e6);
                t.release();
            }
        }
        Collections.sort(millis);
        double median = millis.get(millis.size() / 2);
        System.out.printf("tmux exit latency over %d runs: median %.1f ms, p90 %.1f ms, max %.1f ms%n",
                millis.size(), median, millis.get(millis.size() * 9 / 10), millis.get(millis.size() - 1));
        assertTrue(median < 100, "median exit latency " + median + " ms; all: " + millis);
    }
}
