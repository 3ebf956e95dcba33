package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 6, smaller ones: input sent to a task that never reads it is bounded. At most
 * {@link Spawner.Settings#inputBound()} bytes wait in the helper; {@code send} then waits for
 * the task to read, and fails with a clear message when it makes no progress.
 *
 * <p>NEEDS THE HELPER'S {@code i <id> <n>} REPLY (spawner.pl acknowledges input bytes that left
 * its queue): until it lands, {@link #aTaskThatReadsGetsEveryByteBeyondTheBound} fails, as the
 * Java side waits for acknowledgements that never come.
 *
 * <p>Perl helper; the same bound on the JDK strategy is checked in {@link JdkStrategyTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InputBoundTest extends RealProcessTest {
    private static final int LINE = 64 * 1024;

    private final ExecutorService senders = Executors.newSingleThreadExecutor();
    private BackgroundTasks tasks;

    @AfterEach
    void closeOwn() {
        senders.shutdownNow();
        if (tasks != null) {
            tasks.close();
        }
    }

    private BackgroundTasks tasks(Duration inputWait) throws IOException {
        Path logs = dir.resolve("input-logs");
        tasks = BackgroundTasks.builder()
                .backend(new Spawner(Perl.find(), new Spawner.Settings(Duration.ofSeconds(60), Duration.ofSeconds(30),
                        1024 * 1024, inputWait)))
                .logDirectory(logs)
                .stopGracePeriod(GRACE)
                .build();
        return tasks;
    }

    /** Sends {@code total} bytes in lines; returns how many went out before send failed (or all). */
    private CompletableFuture<Long> sendInBackground(TaskHandle h, long total, AtomicLong sent) {
        String line = "x".repeat(LINE - 1); // send() adds the newline
        return CompletableFuture.supplyAsync(() -> {
            while (sent.get() < total) {
                h.send(line);
                sent.addAndGet(LINE);
            }
            return sent.get();
        }, senders);
    }

    private static long rssKib(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                .findFirst().orElseThrow();
    }

    @Test
    void sendToATaskThatNeverReadsFailsClearlyAndTheHelperStaysSmall() throws IOException {
        String m = marker();
        TaskHandle h = tasks(Duration.ofSeconds(3)).start(TaskSpec.builder("sleep", m).build());
        long helper = helperOf(h);
        long before = rssKib(helper);
        AtomicLong sent = new AtomicLong();

        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> sendInBackground(h, 16L * 1024 * 1024, sent).join());

        assertTrue(e.getCause() instanceof UncheckedIOException, e.toString());
        String msg = e.getCause().getMessage();
        assertTrue(msg.contains("is not reading its standard input") && msg.contains("bytes sent to it are still waiting"),
                msg);
        assertTrue(sent.get() <= 1024 * 1024 + LINE, "sent " + sent.get() + " bytes before send() waited");
        long grew = rssKib(helper) - before;
        assertTrue(grew < 8 * 1024, "the helper grew by " + grew + " KiB");
        assertEquals(TaskState.RUNNING, h.state());
    }

    @Test
    void aTaskThatEndsReleasesItsWaitingSenderAtOnce() throws IOException {
        String m = marker();
        // a wait far longer than the test's timeout: only the task's end can release the sender
        TaskHandle h = tasks(Duration.ofMinutes(10)).start(TaskSpec.builder("sleep", m).build());
        AtomicLong sent = new AtomicLong();
        CompletableFuture<Long> sending = sendInBackground(h, Long.MAX_VALUE, sent);
        within(Duration.ofSeconds(60)).until(() -> sent.get() >= 1024 * 1024 - LINE); // the sender is now waiting

        h.stop().join();

        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, sending::join);
        assertTrue(e.getCause().getMessage().contains("has ended"), e.getCause().toString());
    }

    /** Needs the helper's {@code i} reply: a task that reads gets all its input, well beyond the bound. */
    @Test
    void aTaskThatReadsGetsEveryByteBeyondTheBound() throws IOException {
        TaskHandle h = tasks(Duration.ofSeconds(30)).start(TaskSpec.shell("wc -c").build());
        AtomicLong sent = new AtomicLong();
        long total = 4L * 1024 * 1024;

        assertEquals(total, sendInBackground(h, total, sent).join());
        h.closeInput();

        assertEquals(TaskState.SUCCEEDED, h.onExit().join().state());
        assertEquals(Long.toString(total), text(h.logFile()).strip());
    }
}
