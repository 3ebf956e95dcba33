package io.github.bgtasks.tmux.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.spi.Launch;
import io.github.bgtasks.tmux.TmuxBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM that died in the middle of a start, after tmux had created the session but before the
 * wrapper opened its go FIFO (so the go, had it been written, was lost with the JVM's end):
 * made here by hand, with the real wrapper in a real session and no JVM holding the FIFO. A
 * later JVM gives the go to a start that was accepted, and never to one that was not.
 */
class AcceptanceTest {
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private final String socket = "bgt-acc-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<BackgroundTasks> opened = new ArrayList<>();

    @TempDir
    Path tmp;

    @AfterEach
    void tearDown() throws Exception {
        opened.forEach(BackgroundTasks::close);
        tmux("kill-server");
    }

    @Test
    void aLaterJvmGivesTheGoToAnAcceptedStartWhoseJvmDied() throws Exception {
        Path ran = halfStarted("accepted-1", true);
        TaskHandle t = adopter().find("accepted-1").orElseThrow();
        TaskResult r = t.onExit().get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
        assertTrue(Files.exists(ran));
    }

    @Test
    void aLaterJvmNeverRunsAStartThatWasNotAccepted() throws Exception {
        Path ran = halfStarted("unaccepted-1", false);
        TaskHandle t = adopter().find("unaccepted-1").orElseThrow();
        TaskResult r = t.onExit().get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(TaskState.LOST, r.state(), r.toString());
        assertTrue(r.lostReason().orElse("").contains("never confirmed"), r.toString());
        // Its wrapper reads end of file and ends, having run nothing.
        await().atMost(PATIENCE).until(() -> !tmux("list-sessions", "-F", "#{session_name}").contains("unaccepted-1"));
        assertFalse(Files.exists(ran), "a start that was never accepted ran");
    }

    /** A start as TaskStarter makes it, up to and perhaps including its acceptance, by an owner that is gone. */
    private Path halfStarted(String name, boolean accepted) throws Exception {
        StateFiles.privateDirectory(tmp.resolve("state"), false);
        Path tasks = tmp.resolve("state").resolve("tasks");
        StateFiles.privateDirectory(tasks, false);
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        Path ran = tmp.resolve("ran-" + name);
        Tools tools = Tools.find(true, PATIENCE);
        TaskRecords records = new TaskRecords(tasks, ServerAddress.ofName("tmux", socket).attachPrefix(), "gone-owner");
        Path dir = records.createDirectory(name);
        Launch l = Launch.builder(name, name, List.of("touch", ran.toString())).workingDirectory(tmp)
                .logFile(Files.createFile(logs.resolve(name + ".1.log"))).startedAt(Instant.now()).build();
        Path script = Wrapper.write(l, dir, tools, null);
        records.write(dir, l, 0, 0);
        tools.mkfifo(List.of(dir.resolve("go")));
        List<String> args = new ArrayList<>(List.of("new-session", "-d", "-P", "-F", "#{pane_pid}", "-s", name, "--"));
        args.addAll(Wrapper.command(tools, script));
        args.addAll(List.of(";", "pipe-pane", "-o", "-t", "=" + name + ":", Wrapper.logPipe(l.logFile(), dir),
                ";", "set-option", "-t", "=" + name + ":", "@bgtasks-id", name));
        long pid = Long.parseLong(tmux(args.toArray(String[]::new)).trim());
        // The scenario: the wrapper waits in its open of the FIFO, which no JVM holds any more.
        await().atMost(PATIENCE).until(() -> waitsForAWriter(pid));
        if (accepted) {
            long start = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).orElseThrow().toEpochMilli();
            TaskRecords.accept(dir, pid, start);
        }
        return ran;
    }

    /** @return whether the process waits in a FIFO's open (where the kernel tells: else {@code true}) */
    private static boolean waitsForAWriter(long pid) {
        try {
            String w = Files.readString(Path.of("/proc", Long.toString(pid), "wchan")).trim();
            return w.equals("wait_for_partner") || w.isEmpty() || w.equals("0");
        } catch (IOException e) {
            return true;
        }
    }

    private BackgroundTasks adopter() {
        BackgroundTasks b = BackgroundTasks.builder()
                .backend(TmuxBackend.builder().socketName(socket).stateDirectory(tmp.resolve("state")).build())
                .logDirectory(tmp.resolve("logs")).build();
        opened.add(b);
        return b;
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket, "-f", "/dev/null"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("TMUX");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
        return out;
    }
}
