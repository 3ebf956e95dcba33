package io.github.bgtasks.tmux.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The limits of tmux calls, measured on the backend's ticker. */
class TmuxClientTest {
    private static final Duration PATIENCE = Duration.ofMinutes(3);

    @TempDir
    Path tmp;

    /**
     * Time comes from one source: a call's overall limit is counted on the injected ticker, so
     * an hour's limit passes in virtual time while the "tmux" (a script that never answers)
     * has run for a moment.
     */
    @Test
    void aCallThatNeverAnswersFailsOnceTheTickerPassesTheLimit() throws Exception {
        String marker = String.format(Locale.ROOT, "3600.%09d", new Random().nextInt(1_000_000_000));
        Path tmux = tmp.resolve("silent-tmux");
        Files.writeString(tmux, "#!/bin/sh\nexec sleep " + marker + "\n");
        Files.setPosixFilePermissions(tmux, PosixFilePermissions.fromString("rwx------"));
        AtomicLong now = new AtomicLong();
        Timing timing = Timing.DEFAULT.withTicker(now::get).withTmuxLimit(Duration.ofHours(1));
        TmuxClient client = new TmuxClient(tmux.toString(), List.of("-L", "unused"), tmp.resolve("conf"), timing);
        CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> {
            try {
                return client.run(List.of("list-sessions"));
            } catch (java.io.IOException e) {
                throw new CompletionException(e);
            }
        });
        try {
            // Each look advances virtual time by the limit: the call, once under way, gives up at its next look.
            await().atMost(PATIENCE).until(() -> {
                now.addAndGet(Duration.ofHours(1).toNanos());
                return call.isDone();
            });
            CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, call::join);
            TmuxException te = assertInstanceOf(TmuxException.class, e.getCause());
            assertTrue(te.timedOut() && te.getMessage().contains("did not answer within 3600 s"), te.getMessage());
            await().atMost(PATIENCE).until(() -> withMarker(marker).isEmpty());
        } finally {
            withMarker(marker).forEach(ProcessHandle::destroyForcibly);
            call.cancel(true);
        }
    }

    private static List<ProcessHandle> withMarker(String marker) {
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false)).toList();
    }
}
