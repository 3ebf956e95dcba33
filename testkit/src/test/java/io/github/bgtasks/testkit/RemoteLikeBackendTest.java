package io.github.bgtasks.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskStartException;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import io.github.bgtasks.spi.LogStore;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend that runs tasks somewhere else: its environment, working directory, start checks
 * and log store are its own, and the core applies none of this machine's.
 */
class RemoteLikeBackendTest {
    @TempDir
    Path dir;

    /** Keeps logs in a directory of the test, counting reads, as a remote store would fetch them. */
    final class CountingStore implements LogStore {
        final AtomicInteger reads = new AtomicInteger();
        final List<String> deleted = new CopyOnWriteArrayList<>();
        final AtomicInteger number = new AtomicInteger();

        @Override
        public Path directory() {
            return dir;
        }

        @Override
        public Path create(String name) throws IOException {
            return Files.createFile(dir.resolve(name + "." + number.incrementAndGet() + ".log"));
        }

        @Override
        public void reserveRun(String name, String id) {
        }

        @Override
        public void delete(Path log) {
            deleted.add(log.getFileName().toString());
        }

        @Override
        public SeekableByteChannel read(Path log) throws IOException {
            reads.incrementAndGet();
            return Files.newByteChannel(log);
        }

        @Override
        public Optional<String> checkAfterEnd(Path log) {
            return Optional.of("the remote disk was full");
        }
    }

    final CountingStore store = new CountingStore();
    final List<List<String>> validated = new CopyOnWriteArrayList<>();
    final FakeBackend remote = new FakeBackend() {
        @Override
        public Map<String, String> baseEnvironment() {
            return Map.of("PATH", "/remote/bin", "HOME", "/remote/home");
        }

        @Override
        public Path defaultWorkingDirectory() {
            return Path.of("/remote/home"); // does not exist here, and need not
        }

        @Override
        public void validate(List<String> argv, Path workingDirectory, Map<String, String> environment) {
            validated.add(argv);
            if (argv.get(0).equals("missing-there")) {
                throw new IllegalArgumentException("program 'missing-there' was not found on the remote host");
            }
        }

        @Override
        public Optional<LogStore> logStore(Path directory) {
            return Optional.of(store);
        }
    };

    @Test
    void theCoreAppliesNoneOfThisMachinesChecksOrDefaults() throws Exception {
        try (BackgroundTasks tasks = BackgroundTasks.builder().backend(remote).build()) {
            assertEquals(dir, tasks.logDirectory());
            TaskHandle h = tasks.start(TaskSpec.builder("remote-only-tool", "--flag").name("far")
                    .workingDirectory(Path.of("work")).environment(Map.of("MODE", "x")).build());
            Launch l = remote.launched().get(0).launch();
            assertEquals(Path.of("/remote/home/work"), l.workingDirectory());
            assertEquals(Map.of("PATH", "/remote/bin", "HOME", "/remote/home", "MODE", "x"), l.environment());
            assertEquals(dir.resolve("far.1.log"), l.logFile());
            assertEquals(List.of(List.of("remote-only-tool", "--flag")), validated);

            Files.writeString(l.logFile(), "one\nwarning: two\n", StandardCharsets.UTF_8);
            assertEquals(List.of("one", "warning: two"), h.tail(5));
            remote.launched().get(0).exit().complete(ExitStatus.exited(0));
            TaskResult r = h.onExit().join();
            assertEquals(Optional.of("the remote disk was full"), r.logProblem());
            assertEquals(1, r.warningCount());
            assertEquals(2, store.reads.get(), "tail and scan read through the store");

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> tasks.start(TaskSpec.builder("missing-there").name("nope").build()));
            assertEquals("program 'missing-there' was not found on the remote host", e.getMessage());
            assertTrue(tasks.find("nope").isEmpty());
        }
    }

    @Test
    void aFailedStartDeletesItsLogThroughTheStore() {
        remote.failLaunch(new IOException("host unreachable"));
        try (BackgroundTasks tasks = BackgroundTasks.builder().backend(remote).build()) {
            TaskStartException e = assertThrows(TaskStartException.class,
                    () -> tasks.start(TaskSpec.builder("tool").name("lost").build()));
            assertTrue(e.getMessage().startsWith("could not start task lost [tool] in /remote/home with the fake "
                    + "backend: host unreachable"), e.getMessage());
            assertEquals(List.of("lost.1.log"), store.deleted);
        }
    }
}
