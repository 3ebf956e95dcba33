package io.github.bgtasks.process;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.testkit.ProcessMarkers.Proc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the real-process tests: instances with a short grace period (on the Perl helper
 * unless {@link #newBackend()} says otherwise), unique process markers,
 * and a cleanup that closes every instance and then SIGKILLs, by pid, whatever still carries
 * one of this test's markers, so that a failing test leaves nothing behind.
 */
abstract class RealProcessTest {
    /** The stop grace period of the tests' instances. */
    static final Duration GRACE = Duration.ofMillis(300);
    /** Slack for scheduling on a loaded 2-vCPU machine, added to every expected time. */
    static final Duration SLACK = Duration.ofMillis(3000);

    @TempDir
    Path dir;

    private final List<BackgroundTasks> instances = new CopyOnWriteArrayList<>();
    private final List<String> markers = new CopyOnWriteArrayList<>();
    private final List<ProcessHandle> leftAlone = new CopyOnWriteArrayList<>();

    /**
     * @return whether the tests run on the Perl helper, else on the JDK strategy (tests that hold
     *     for both strategies have a {@code Jdk...} subclass that returns false; some details differ)
     */
    boolean perlHelper() {
        return true;
    }

    /** @return the backend of the tests' instances, of the strategy {@link #perlHelper()} names */
    Backend newBackend() {
        return perlHelper() ? ProcessBackend.perl() : ProcessBackend.jdk();
    }

    /** @return a new process-backend instance logging under the test's directory, closed after the test */
    BackgroundTasks newTasks() {
        return newTasks(b -> { });
    }

    /** @return like {@link #newTasks()}, with more builder settings */
    BackgroundTasks newTasks(Consumer<BackgroundTasks.Builder> settings) {
        return newTasks(dir.resolve("logs-" + instances.size()), settings);
    }

    /** @return like {@link #newTasks()}, logging to {@code logs}, with more builder settings */
    BackgroundTasks newTasks(Path logs, Consumer<BackgroundTasks.Builder> settings) {
        BackgroundTasks.Builder b = BackgroundTasks.builder()
                .backend(newBackend())
                .logDirectory(logs)
                .stopGracePeriod(GRACE);
        settings.accept(b);
        BackgroundTasks tasks = b.build();
        instances.add(tasks);
        return tasks;
    }

    /** @return a fresh marker, remembered for the cleanup */
    String marker() {
        String m = Procs.marker();
        markers.add(m);
        return m;
    }

    /**
     * Remembers a process to SIGKILL after the test, if it still runs (for processes a test
     * leaves running on purpose). The handle is taken now, while the pid is known to be that
     * process: the JDK checks its start time before signalling, so a reused pid is safe.
     */
    void killAfterTest(long pid) {
        ProcessHandle.of(pid).ifPresent(leftAlone::add);
    }

    /** Child JVMs started by a test; killed after it. */
    final List<Process> children = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        children.forEach(Process::destroyForcibly);
        List<Throwable> problems = new ArrayList<>();
        for (BackgroundTasks t : instances) {
            try {
                t.close();
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        List<Proc> left = markers.isEmpty() ? List.of() : Procs.withAnyArg(markers);
        Procs.killAll(left);
        leftAlone.forEach(ProcessHandle::destroyForcibly);
        if (!problems.isEmpty()) {
            AssertionError e = new AssertionError("closing an instance failed");
            problems.forEach(e::addSuppressed);
            throw e;
        }
    }

    /** @return Awaitility with a deadline and a short poll interval */
    static ConditionFactory within(Duration deadline) {
        // in the calling thread: no Awaitility thread disturbs the thread counts of ScaleTest
        return await().atMost(deadline).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20));
    }

    /** Waits until {@code count} live processes carry the marker; shows the probe finds them. */
    static List<Proc> awaitRunning(String marker, int count) {
        // the scan that saw them, not a second one: they may be ended in between (a leftover's grace)
        AtomicReference<List<Proc>> seen = new AtomicReference<>();
        within(Duration.ofSeconds(10)).until(() -> {
            seen.set(Procs.withArg(marker));
            return seen.get().size() >= count;
        });
        return seen.get();
    }

    /** Waits until no live process carries any of the markers, naming the survivors if some stay. */
    static void awaitGone(Duration deadline, String... markers) {
        List<String> list = List.of(markers);
        try {
            within(deadline).until(() -> Procs.withAnyArg(list).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("still running after " + deadline + ":" + Procs.describe(Procs.withAnyArg(list)), e);
        }
    }

    /** Asserts that no live process is left in the task's session (pid = pgid = sid). */
    static void awaitSessionEmpty(long sid, Duration deadline) {
        try {
            within(deadline).until(() -> Procs.inSession(sid).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("session " + sid + " still has:" + Procs.describe(Procs.inSession(sid)), e);
        }
    }

    /** Asserts that the helper and the JVM have no zombie children (allowing the helper a moment to reap). */
    static void awaitNoZombiesOf(long helper) {
        long jvm = ProcessHandle.current().pid();
        try {
            within(Duration.ofSeconds(2)).until(() -> Procs.zombiesOf(helper, jvm).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("zombies:" + Procs.describe(Procs.zombiesOf(helper, jvm)), e);
        }
    }

    /** @return the helper process of the instance that runs this (running) task */
    static long helperOf(TaskHandle h) {
        long pid = h.pid().orElseThrow();
        long helper = Procs.parentOf(pid);
        Proc p = Procs.read(helper).orElseThrow();
        assertTrue(p.argv().get(0).startsWith("bgtasks-spawner"), "the task's parent is the helper: " + p);
        return helper;
    }

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(Path file) {
        return new String(bytes(file), StandardCharsets.UTF_8);
    }

    static void assertContains(String expected, String actual) {
        assertTrue(actual != null && actual.contains(expected),
                "expected to contain <" + expected + "> but was <" + actual + ">");
    }

    static void assertBytes(byte[] expected, byte[] actual) {
        if (!java.util.Arrays.equals(expected, actual)) {
            int i = java.util.Arrays.mismatch(expected, actual);
            assertEquals(expected.length, actual.length, "length differs; first difference at byte " + i);
            throw new AssertionError("first difference at byte " + i + ": expected " + (expected[i] & 0xff)
                    + " but was " + (actual[i] & 0xff));
        }
    }

    /** @return milliseconds since {@code startNanos} */
    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
