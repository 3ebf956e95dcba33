package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.testkit.ProcessMarkers.Proc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Detached tasks (issue 11): they outlive a JVM killed with SIGKILL, and a later JVM finds them
 * in the shared state directory, reads their output, stops them and hears their exit once.
 * Each task blocks reading a FIFO until the test writes to it; its shell carries a unique marker
 * as {@code $0}, which is what the process table is searched for.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DetachedTest extends RealProcessTest {
    /** Prints {@code started-<marker>}, then waits for a line on the FIFO {@code $1}, then exits with {@code $2}. */
    static final String SCRIPT = "echo started-$0; read x < \"$1\"; exit $2";

    /** Every instance of these tests is detached, on the state directory {@code <dir>/state}. */
    @Override
    io.github.bgtasks.spi.Backend newBackend() {
        return ProcessBackend.detached(dir.resolve("state"));
    }

    @Test
    void detachedTasksOutliveAKilledJvmAndTheNextJvmFindsStopsAndHearsThem() throws Exception {
        Path state = dir.resolve("state");
        Path logs = dir.resolve("logs");
        String alpha = marker();
        String beta = marker();
        String tied = marker();
        Path alphaFifo = fifo("alpha");
        Path betaFifo = fifo("beta");
        ChildJvm child = ChildJvm.start(dir, children, List.of(), Main.class, List.of(state.toString(), logs.toString(),
                "alpha", alpha, alphaFifo.toString(), "0",
                "beta", beta, betaFifo.toString(), "7",
                "-tied", tied, fifo("tied").toString(), "0"));
        killAfterTest(child.helper());
        awaitRunning(alpha, 1);
        awaitRunning(beta, 1);
        awaitRunning(tied, 1);

        child.process().destroyForcibly(); // SIGKILL: no shutdown hook, no close
        assertTrue(child.process().waitFor(10, TimeUnit.SECONDS));
        // A task of a plain backend of the same JVM ends, as before; the detached ones run on.
        awaitGone(Duration.ofSeconds(30), tied);
        assertEquals(1, Procs.withArg(alpha).size(), "the detached task alpha runs on after its JVM was killed");
        assertEquals(1, Procs.withArg(beta).size(), "the detached task beta runs on after its JVM was killed");
        assertTrue(Procs.alive(child.helper()), "the helper stays while detached tasks run");

        BackgroundTasks later = newTasks(logs, b -> { });
        List<TaskHandle> found = later.list();
        assertEquals(List.of("alpha", "beta"), found.stream().map(TaskHandle::name).toList());
        TaskHandle a = later.find("alpha").orElseThrow();
        TaskHandle b = later.find("beta").orElseThrow();
        assertEquals(TaskState.RUNNING, a.state());
        assertEquals(TaskState.RUNNING, b.state());
        assertEquals(child.taskPids().get(0), a.pid().orElseThrow());
        assertEquals(child.taskPids().get(1), b.pid().orElseThrow());
        within(Duration.ofSeconds(10)).until(() -> a.tail(5).contains("started-" + alpha));
        within(Duration.ofSeconds(10)).until(() -> b.tail(5).equals(List.of("started-" + beta)));
        List<TaskResult> heard = new CopyOnWriteArrayList<>();
        b.addListener(heard::add);

        TaskResult stopped = a.stop().get(30, TimeUnit.SECONDS);
        assertEquals(TaskState.STOPPED, stopped.state(), stopped.toString());
        awaitGone(Duration.ofSeconds(10), alpha);

        Files.writeString(betaFifo, "go\n");
        TaskResult ended = b.onExit().get(30, TimeUnit.SECONDS);
        assertEquals(7, ended.exitCode().orElseThrow(), ended.toString());
        assertEquals(TaskState.FAILED, ended.state());
        within(Duration.ofSeconds(10)).until(() -> heard.size() == 1);
        // Nothing of ours runs once nothing is detached: the old helper leaves.
        within(Duration.ofSeconds(30)).until(() -> !Procs.alive(child.helper()));
        assertEquals(1, heard.size(), "the exit of beta was heard once");
        assertEquals(7, heard.get(0).exitCode().orElseThrow());

        // Forgetting the tasks deletes their records; the state directory is left empty.
        later.remove(a);
        later.remove(b);
        try (Stream<Path> left = Files.list(state.resolve("tasks"))) {
            assertEquals(List.of(), left.toList());
        }
        awaitGone(Duration.ofSeconds(10), alpha, beta, tied);
    }

    @Test
    void twoJvmsWatchingOneStateDirectoryBothHearTheEndOnceAndOneOwnsTheRecord() throws Exception {
        Path state = dir.resolve("state");
        Path logs = dir.resolve("logs");
        String gamma = marker();
        Path fifo = fifo("gamma");
        ChildJvm starter = ChildJvm.start(dir, children, List.of(), Main.class, List.of(state.toString(), logs.toString(),
                "gamma", gamma, fifo.toString(), "3"));
        killAfterTest(starter.helper());
        awaitRunning(gamma, 1);
        starter.process().destroyForcibly();
        assertTrue(starter.process().waitFor(10, TimeUnit.SECONDS));

        // Two JVMs at once: another child, and this one.
        List<String> watcherSaid = new CopyOnWriteArrayList<>();
        Process watcher = watcher(state, logs, watcherSaid);
        BackgroundTasks here = newTasks(logs, b -> { });
        within(Duration.ofSeconds(30)).until(() -> watcherSaid.contains("ready"));
        TaskHandle g = here.find("gamma").orElseThrow();
        AtomicInteger heardHere = new AtomicInteger();
        g.addListener(r -> heardHere.incrementAndGet());
        Path record = state.resolve("tasks").resolve(g.id());
        boolean ownedHere = TaskRecord.heldHere(record);
        boolean ownedThere = watcherSaid.contains("owns " + g.id());
        assertTrue(ownedHere ^ ownedThere, "exactly one JVM owns the record: here " + ownedHere + ", there " + ownedThere);

        Files.writeString(fifo, "go\n");
        assertEquals(3, g.onExit().get(30, TimeUnit.SECONDS).exitCode().orElseThrow());
        within(Duration.ofSeconds(30)).until(() -> watcherSaid.stream().anyMatch(l -> l.startsWith("ended ")));
        assertEquals(List.of("ended " + g.id() + " 3"), watcherSaid.stream().filter(l -> l.startsWith("ended ")).toList());
        within(Duration.ofSeconds(10)).until(() -> heardHere.get() == 1);

        // Each forgets it; the owner deletes the record, whichever forgets first.
        here.remove(g);
        watcher.getOutputStream().close(); // the watcher removes what it found, closes and exits
        assertTrue(watcher.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, watcher.exitValue(), String.join("\n", watcherSaid));
        assertEquals(1, heardHere.get(), "heard once here");
        within(Duration.ofSeconds(10)).until(() -> !Files.exists(record));
        within(Duration.ofSeconds(30)).until(() -> !Procs.alive(starter.helper()));
    }

    @Test
    void aTaskWhoseHelperWasKilledTooIsFoundStoppedAndReportedLost() throws Exception {
        Path state = dir.resolve("state");
        Path logs = dir.resolve("logs");
        String orphan = marker();
        ChildJvm child = ChildJvm.start(dir, children, List.of(), Main.class, List.of(state.toString(), logs.toString(),
                "orphan", orphan, fifo("orphan").toString(), "0"));
        awaitRunning(orphan, 1);
        child.process().destroyForcibly();
        assertTrue(child.process().waitFor(10, TimeUnit.SECONDS));
        ProcessHandle.of(child.helper()).ifPresent(ProcessHandle::destroyForcibly); // nobody is left to record its end
        within(Duration.ofSeconds(10)).until(() -> !Procs.alive(child.helper()));
        assertEquals(1, Procs.withArg(orphan).size(), "the task runs on, re-parented");

        BackgroundTasks later = newTasks(logs, b -> { });
        TaskHandle h = later.find("orphan").orElseThrow();
        assertEquals(TaskState.RUNNING, h.state(), "its own process still runs");
        TaskResult r = h.stop().get(30, TimeUnit.SECONDS);
        assertEquals(TaskState.LOST, r.state(), r.toString());
        assertContains("the bgtasks helper that ran it (pid " + child.helper() + ") ended before the task did",
                r.lostReason().orElseThrow());
        awaitGone(Duration.ofSeconds(10), orphan);
    }

    @Test
    void aRecordOfAnEarlierBootNamesNoProcessOfNow() throws Exception {
        String m = marker();
        BackgroundTasks first = newTasks(dir.resolve("logs"), b -> { });
        TaskHandle h = first.start(TaskSpec.builder("sleep", m).name("old").build());
        first.close();
        // As after a reboot: the same pid and start time may now be another process's.
        Path record = dir.resolve("state").resolve("tasks").resolve(h.id()).resolve("task.properties");
        Files.writeString(record, Files.readString(record).replaceAll("(?m)^bootId=.*$", "bootId=an-earlier-boot"));

        BackgroundTasks later = newTasks(dir.resolve("logs"), b -> { });
        TaskHandle found = later.find("old").orElseThrow();
        assertEquals(TaskState.LOST, found.state());
        assertEquals("it was started before the machine last booted, and its end was not recorded",
                found.onExit().get(10, TimeUnit.SECONDS).lostReason().orElseThrow());
        found.kill().get(10, TimeUnit.SECONDS);
        assertEquals(1, Procs.withArg(m).size(), "no signal reached the process that has the recorded pid now");
        // End it here and let its helper record that and leave, so that no write into the
        // state directory races with the deletion of the test's directory.
        Proc task = Procs.withArg(m).get(0);
        long helper = Procs.parentOf(task.pid());
        Procs.killAll(List.of(task));
        within(Duration.ofSeconds(30)).until(() -> !Procs.alive(helper));
    }

    @Test
    void aStateDirectoryOpenToOthersIsRefusedWithTheFix() throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProcessBackend.detached(open));
        assertContains("the state directory " + open + ", is not private to", e.getMessage());
        assertContains("mode 755", e.getMessage());
        assertContains("chmod 700 " + open, e.getMessage());

        Path file = Files.writeString(dir.resolve("file"), "x");
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> ProcessBackend.detached(file));
        assertContains(file + " exists but is not a directory", f.getMessage());

        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
                () -> ProcessBackend.detached(shared.resolve("state")));
        assertContains("the parent of the state directory, " + shared, p.getMessage());
        assertFalse(Files.exists(shared.resolve("state")), "nothing is created in a parent open to others");

        Path foreign = Files.createDirectory(dir.resolve("foreign"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Files.setOwner(foreign, foreign.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        } catch (IOException | UnsupportedOperationException notRoot) {
            return; // only root can give a directory away; the mode checks above still ran
        }
        IllegalArgumentException o = assertThrows(IllegalArgumentException.class, () -> ProcessBackend.detached(foreign));
        assertContains("the state directory " + foreign + ", is not private to", o.getMessage());
        assertContains("(owner nobody, mode 700)", o.getMessage());
    }

    @Test
    void theDefaultStateDirectoryFollowsXdg() {
        assertEquals(Path.of("/x/state/bgtasks/process"),
                StateDirectory.defaultPath(Map.of("XDG_STATE_HOME", "/x/state"), "/home/u"));
        assertEquals(Path.of("/home/u/.local/state/bgtasks/process"), StateDirectory.defaultPath(Map.of(), "/home/u"));
        assertEquals(Path.of("/home/u/.local/state/bgtasks/process"),
                StateDirectory.defaultPath(Map.of("XDG_STATE_HOME", "relative"), "/home/u"));
    }

    @Test
    void aDetachedTaskRecordsItsEndAndIsLeftRunningByClose() throws Exception {
        Path state = dir.resolve("state");
        String delta = marker();
        Path fifo = fifo("delta");
        BackgroundTasks first = newTasks(dir.resolve("logs"), b -> { });
        TaskHandle d = first.start(TaskSpec.builder("/bin/sh", "-c", SCRIPT, delta, fifo.toString(), "5").name("delta").build());
        first.close(); // a detached task runs on
        assertEquals(1, Procs.withArg(delta).size());
        Files.writeString(fifo, "go\n");
        awaitGone(Duration.ofSeconds(30), delta);
        BackgroundTasks second = newTasks(dir.resolve("logs"), b -> { });
        TaskHandle again = second.find("delta").orElseThrow();
        assertEquals(d.id(), again.id());
        assertEquals(TaskState.FAILED, again.state(), "a task that ended while no JVM watched is listed as ended at once");
        TaskResult r = again.onExit().get(30, TimeUnit.SECONDS);
        assertEquals(5, r.exitCode().orElseThrow(), r.toString());
    }

    private Path fifo(String name) throws Exception {
        Path p = dir.resolve(name + ".fifo");
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor());
        return p;
    }

    /** Starts {@link Watcher} in a child JVM; each line it prints lands in {@code said}. */
    private Process watcher(Path state, Path logs, List<String> said) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Watcher.class.getName(), state.toString(), logs.toString()));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("watcher-stderr.txt").toFile()).start();
        children.add(p);
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    said.add(l);
                }
            } catch (IOException e) {
                said.add("failed: " + e);
            }
        }, "watcher-output");
        t.setDaemon(true);
        t.start();
        return p;
    }

    /**
     * The JVM to kill: {@code <state dir> <log dir> (<name> <marker> <fifo> <exit code>)...}
     * starts each task detached ({@link #SCRIPT}), or, if its name starts with {@code -}, on a
     * plain process backend; prints as {@link ChildJvmMain} does, then holds until killed.
     */
    public static final class Main {
        private Main() {
        }

        /** @param args see the class description */
        public static void main(String[] args) throws Exception {
            BackgroundTasks detached = BackgroundTasks.builder().backend(ProcessBackend.detached(Path.of(args[0])))
                    .logDirectory(Path.of(args[1])).stopGracePeriod(GRACE).build();
            BackgroundTasks tied = BackgroundTasks.builder().backend(ProcessBackend.perl())
                    .logDirectory(Path.of(args[1])).stopGracePeriod(GRACE).build();
            for (int i = 2; i + 4 <= args.length; i += 4) {
                boolean plain = args[i].startsWith("-");
                TaskHandle h = (plain ? tied : detached).start(TaskSpec.builder("/bin/sh", "-c", SCRIPT, args[i + 1],
                        args[i + 2], args[i + 3]).name(plain ? args[i].substring(1) : args[i]).build());
                if (i == 2) {
                    System.out.println("helper " + Procs.parentOf(h.pid().orElseThrow()));
                }
                System.out.println("task " + h.id() + " " + h.pid().orElseThrow() + " " + h.logFile());
            }
            System.out.println("ready");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold until killed
            }
        }
    }

    /**
     * A second JVM on the same state directory: {@code <state dir> <log dir>}. Prints
     * {@code owns <id>} for each record it owns, {@code ready}, {@code ended <id> <code>} for
     * each end it hears; when its stdin ends, removes the finished tasks, closes, and exits.
     */
    public static final class Watcher {
        private Watcher() {
        }

        /** @param args see the class description */
        public static void main(String[] args) throws Exception {
            Path state = Path.of(args[0]);
            BackgroundTasks tasks = BackgroundTasks.builder().backend(ProcessBackend.detached(state))
                    .logDirectory(Path.of(args[1])).build();
            OutputStream out = System.out;
            for (TaskHandle h : tasks.list()) {
                if (TaskRecord.heldHere(state.resolve("tasks").resolve(h.id()))) {
                    System.out.println("owns " + h.id());
                }
                h.addListener(r -> {
                    System.out.println("ended " + r.id() + " " + r.exitCode().orElse(-1));
                    System.out.flush();
                });
            }
            System.out.println("ready");
            out.flush();
            while (System.in.read() >= 0) {
                // until the test closes our stdin
            }
            for (TaskHandle h : tasks.list()) {
                h.onExit().get(30, TimeUnit.SECONDS);
                tasks.remove(h);
            }
            tasks.close();
            System.exit(0);
        }
    }
}
