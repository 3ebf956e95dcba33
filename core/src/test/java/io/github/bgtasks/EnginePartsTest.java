package io.github.bgtasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.spi.BackendProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of the engine that {@link BackgroundTasks} puts together: the shutdown hook and the backend lookup. */
class EnginePartsTest {
    @TempDir
    Path dir;

    @Test
    void oneShutdownHookServesEveryInstance() throws Exception {
        List<BackgroundTasks> built = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                built.add(BackgroundTasks.builder().backend(new JdkBackend()).logDirectory(dir.resolve("d" + i)).build());
            }
            assertEquals(1, ShutdownHook.installedHooks(), "one hook for all instances, not one each");
            assertTrue(ShutdownHook.openCount() >= 5, "the hook knows every open instance");
        } finally {
            built.forEach(BackgroundTasks::close);
        }
        assertEquals(1, ShutdownHook.installedHooks(), "the hook stays for the next instance");
    }

    @Test
    void theHookClosesTheInstancesStillOpenAndTheirTasks() {
        // A real process that runs until the hook's close() stops it (a sleep ends at its SIGTERM).
        BackgroundTasks open = BackgroundTasks.builder().backend(new JdkBackend()).logDirectory(dir)
                .stopTasksOnClose(true).build();
        TaskHandle h = open.start(TaskSpec.builder("sleep", "3600.5" + ProcessHandle.current().pid()).name("at-exit").build());
        int openBefore = ShutdownHook.openCount();
        ShutdownHook.closeAll(); // what the JVM runs at exit (other tests' instances are closed too: harmless)
        assertEquals(TaskState.STOPPED, h.onExit().join().state());
        assertThrows(IllegalStateException.class, () -> open.start(TaskSpec.builder("true").build()));
        assertTrue(ShutdownHook.openCount() < openBefore);
    }

    @Test
    void aProviderThatCannotStartIsSkippedWithItsReasonLogged() {
        JdkBackend second = new JdkBackend();
        String log = stderrOf(() -> assertSame(second, BackendLookup.choose(List.of(
                candidate("com.example.PerlProvider", 0, () -> {
                    throw new IllegalStateException("needs perl, which was not found on PATH");
                }),
                candidate("com.example.SecondProvider", 5, () -> second)), List.of())));
        assertTrue(log.contains("WARN") && log.contains("skipping bgtasks backend provider com.example.PerlProvider "
                + "(priority 0): needs perl, which was not found on PATH"), log);
    }

    @Test
    void whenNoProviderCanStartTheErrorNamesEachAndWhy() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BackendLookup.choose(List.of(
                candidate("com.example.A", 0, () -> {
                    throw new IllegalStateException("needs perl");
                }),
                new BackendLookup.Candidate("com.example.B", () -> {
                    throw new NoClassDefFoundError("org/zeroturnaround/exec/ProcessExecutor");
                })), List.of()));
        assertTrue(e.getMessage().startsWith("no bgtasks backend on the class path could start: "), e.getMessage());
        assertTrue(e.getMessage().contains("com.example.B: org/zeroturnaround/exec/ProcessExecutor"), e.getMessage());
        assertTrue(e.getMessage().contains("com.example.A (priority 0): needs perl"), e.getMessage());
        assertTrue(e.getMessage().endsWith("or pass a backend to BackgroundTasks.builder().backend(...))"), e.getMessage());
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> BackendLookup.choose(List.of(), List.of()));
        assertTrue(none.getMessage().startsWith("no bgtasks backend on the class path; add io.github.bgtasks:bgtasks-process"),
                none.getMessage());
    }

    @Test
    void providersAreTriedInOrderOfPriority() {
        JdkBackend preferred = new JdkBackend();
        assertSame(preferred, BackendLookup.choose(List.of(
                candidate("late", 10, JdkBackend::new), candidate("early", -1, () -> preferred)), List.of()));
    }

    private static BackendLookup.Candidate candidate(String type, int priority, Supplier<Backend> create) {
        return new BackendLookup.Candidate(type, () -> new BackendProvider() {
            @Override
            public int priority() {
                return priority;
            }

            @Override
            public Backend create() {
                return create.get();
            }
        });
    }

    private static String stderrOf(Runnable r) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

}
