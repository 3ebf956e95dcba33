package io.github.bgtasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention on real processes: exactly the right tasks and logs go, never a running task's; age
 * by an injected clock.
 */
class RetentionTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final String marker = "marker-" + UUID.randomUUID();
    private BackgroundTasks tasks;

    @AfterEach
    void close() {
        if (tasks != null) {
            tasks.close();
        }
        assertEquals(List.of(), processesWithMarker(), "nothing left running");
    }

    private BackgroundTasks tasks(Retention r) {
        tasks = BackgroundTasks.builder().backend(new JdkBackend()).logDirectory(dir).clock(clock).retention(r).build();
        return tasks;
    }

    /** A finished task whose log holds {@code bytes} bytes. */
    private void finished(String name, int bytes) {
        TaskResult r = tasks.start(TaskSpec.builder("head", "-c", Integer.toString(bytes), "/dev/zero").name(name).build())
                .onExit().join();
        assertEquals(TaskState.SUCCEEDED, r.state(), r.summary());
    }

    /** A task that runs until stopped: it writes {@code bytes} bytes, then waits for a line on its standard input. */
    private TaskHandle running(String name, int bytes) {
        TaskHandle t = tasks.start(TaskSpec.builder("sh", "-c", "head -c \"$1\" /dev/zero; read line", "sh",
                Integer.toString(bytes), marker).name(name).build());
        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(3)).until(() -> Files.size(t.logFile()) == bytes);
        return t;
    }

    private TaskHandle running(String name) {
        return running(name, 0);
    }

    private Set<String> logs() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private Set<String> listed() {
        return tasks.list().stream().map(TaskHandle::id).collect(Collectors.toSet());
    }

    @Test
    void byAgeFromTheEndNeverARunningTask() throws IOException {
        tasks(Retention.builder().maxAge(Duration.ofHours(1)).build());
        running("server"); // started long ago, still running: stays
        finished("a", 10);
        finished("b", 10);
        clock.advance(Duration.ofMinutes(59));
        finished("c", 10); // a and b are 59 minutes old: they stay
        assertEquals(Set.of("server.1.log", "a.1.log", "b.1.log", "c.1.log"), logs());
        clock.advance(Duration.ofMinutes(2));
        finished("d", 10); // now a and b ended 61 minutes ago
        assertEquals(Set.of("server.1.log", "c.1.log", "d.1.log"), logs());
        assertEquals(Set.of("server.1", "c.1", "d.1"), listed());

        clock.advance(Duration.ofHours(2));
        assertEquals(List.of("c.1", "d.1"), tasks.clean(), "clean() applies the age with no task ending");
        assertEquals(Set.of("server.1.log"), logs());
        assertEquals(Set.of("server.1"), listed());
    }

    @Test
    void byCountTheNewestStay() throws IOException {
        tasks(Retention.builder().maxCount(2).build());
        running("server");
        for (String n : List.of("a", "b", "c", "d")) {
            finished(n, 10);
        }
        finished("a", 10); // a second run of a
        assertEquals(Set.of("server.1.log", "d.1.log", "a.2.log"), logs());
        assertEquals(Set.of("server.1", "d.1", "a.2"), listed());
    }

    @Test
    void byTotalBytesTheOldestGoFirst() throws IOException {
        tasks(Retention.builder().maxTotalBytes(250).build());
        running("server", 1000); // not counted: a running task's log never goes
        finished("a", 100);
        finished("b", 100);
        assertEquals(Set.of("server.1.log", "a.1.log", "b.1.log"), logs(), "200 bytes");
        finished("c", 100); // 300 > 250: a goes
        assertEquals(Set.of("server.1.log", "b.1.log", "c.1.log"), logs());
        finished("d", 240); // 440: b and c go, d alone is within the limit
        assertEquals(Set.of("server.1.log", "d.1.log"), logs());
        finished("e", 300); // 540: oldest first until within the limit, so d, then e itself
        assertEquals(Set.of("server.1.log"), logs(), "d (240) and e (300): both must go to get within 250");
    }

    @Test
    void cleanWithoutARetentionRemovesEveryFinishedTask() throws IOException {
        tasks = BackgroundTasks.builder().backend(new JdkBackend()).logDirectory(dir).clock(clock).build();
        running("server");
        finished("a", 1);
        finished("b", 1);
        assertEquals(Set.of("server.1.log", "a.1.log", "b.1.log"), logs(), "no retention: everything stays");
        assertEquals(List.of("a.1", "b.1"), tasks.clean());
        assertEquals(Set.of("server.1.log"), logs());
        assertEquals(List.of(), tasks.clean());
    }

    @Test
    void limitsAreValidated() {
        assertEquals("max count must be at least 0, was -1",
                assertThrows(IllegalArgumentException.class, () -> Retention.builder().maxCount(-1)).getMessage());
        assertEquals("max total bytes must be at least 0, was -5",
                assertThrows(IllegalArgumentException.class, () -> Retention.builder().maxTotalBytes(-5)).getMessage());
        assertEquals("max age must be positive, was PT0S",
                assertThrows(IllegalArgumentException.class, () -> Retention.builder().maxAge(Duration.ZERO)).getMessage());
        assertEquals("max count was already set to 3",
                assertThrows(IllegalStateException.class, () -> Retention.builder().maxCount(3).maxCount(4)).getMessage());
        assertEquals("retainFinished(5) and retention(Retention{maxCount=3 }) both limit the finished tasks; "
                + "use Retention.builder().maxCount(5) alone", assertThrows(IllegalStateException.class,
                        () -> BackgroundTasks.builder().retainFinished(5).retention(Retention.builder().maxCount(3).build()))
                        .getMessage());
    }

    private List<String> processesWithMarker() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
