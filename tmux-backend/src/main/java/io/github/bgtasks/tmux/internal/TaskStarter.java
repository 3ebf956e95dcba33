package io.github.bgtasks.tmux.internal;

import io.github.bgtasks.internal.Text;
import io.github.bgtasks.internal.posix.TaskNames;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts tasks with the go handshake: the wrapper waits for a "go" from this JVM before it
 * runs anything, and gets it only once tmux has confirmed that the session exists and is this
 * task's. So a start either returns a task that runs, or throws and nothing of it ever runs,
 * not even should a slow tmux create the session later. This class is thread-safe.
 */
public final class TaskStarter {
    private final TaskRecords records;
    private final EndWatcher ends;
    private final TmuxTask.Services services;
    /** tail(1) where each command writes its log itself and the pane shows it; {@code null}: the pane's bytes are the log. */
    private final String viewer;
    private final SpareFifos fifos;

    /**
     * @param records records each task
     * @param ends watches each task from before its session exists
     * @param services for the tasks started
     * @param viewer tail(1) to have each command write its log directly, the pane showing the
     *     log; {@code null} to log the pane's bytes with {@code pipe-pane}
     * @param fifos gives each task its go FIFO
     */
    public TaskStarter(TaskRecords records, EndWatcher ends, TmuxTask.Services services, String viewer,
            SpareFifos fifos) {
        this.fifos = fifos;
        this.records = records;
        this.ends = ends;
        this.services = services;
        this.viewer = viewer;
    }

    /**
     * Starts the task in a new session named as the task, with its log started in the same
     * tmux call so that not even the first byte is lost (or, with a viewer, written by the command itself).
     *
     * @param launch what to start
     * @return the task, running
     * @throws IOException if a session of that name exists already, or tmux failed
     */
    public BackendTask launch(Launch launch) throws IOException {
        String name = launch.name();
        if (!TaskNames.isValid(name)) {
            // The core has checked it already; this guards the SPI's other callers.
            throw new IllegalArgumentException("task name '" + TaskNames.printable(name) + "' cannot be a tmux session "
                    + "name; " + TaskNames.RULE);
        }
        Tools tools = services.tools();
        checkProgram(launch.argv().get(0)); // the core has asked already (Backend.validate); the SPI's other callers may not
        Path dir = records.createDirectory(launch.id());
        TmuxTask task = new TmuxTask(services, launch, dir);
        task.owned = true;
        boolean missed;
        try {
            Path script = Wrapper.write(launch, dir, tools, viewer);
            records.write(dir, launch, 0, 0); // pid 0: not accepted (yet), so no later JVM ever says go
            fifos.moveTo(dir.resolve("go"));
            task.openGo();
            // Watch before starting: a task can end before new-session has even returned.
            ends.watch(task);
            long pid = services.sessions().create(launch, task.tag(), Wrapper.command(tools, script),
                    viewer != null ? null : Wrapper.logPipe(launch.logFile(), dir));
            long start = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).map(Instant::toEpochMilli).orElse(0L);
            task.identify(pid, start);
            TaskRecords.accept(dir, pid, start); // from now on the task is to run, whatever happens to this JVM
            synchronized (task) {
                task.accepted = true;
                missed = task.missedCheck;
            }
            task.sendGo();
        } catch (IOException | RuntimeException e) {
            abandon(task);
            if (e instanceof TmuxException te && te.duplicateSession()) {
                throw new IOException("a tmux session named '" + name + "' already exists on "
                        + services.server().attachPrefix() + " (perhaps started by another JVM); choose another name or "
                        + "end that session", e);
            }
            throw e;
        }
        if (missed) {
            // A file event or the sweep came before the acceptance and was put off. Without one,
            // nothing has happened that a check could see, and the events to come will tell:
            // a check here cost about 0.5 ms on every start (its files and the wrapper's /proc).
            ends.check(task, null);
        }
        return task;
    }

    /**
     * Checks what only this backend cannot run: without Perl, the wrapper starts the command
     * through env(1), which takes a program whose name contains {@code =} for a variable.
     *
     * @param program {@code argv[0]}
     * @throws IllegalArgumentException if it cannot be run; the message says how to fix it
     */
    public void checkProgram(String program) {
        if (services.tools().perl() == null && program.indexOf('=') >= 0) {
            throw new IllegalArgumentException("program '" + Text.abbreviate(program, Text.MAX_VALUE) + "' contains '=', "
                    + "which env(1) would take for a variable; without Perl the tmux backend cannot run it; install Perl, "
                    + "or rename the program or use a symbolic link");
        }
    }

    /**
     * Gives up a start: the wrapper, should its session exist now or later, never gets a go.
     * The FIFO is removed first, so a wrapper that has not opened it yet fails to; one that
     * has reads end of file once this JVM's end is closed, a moment later (so that a wrapper
     * caught between finding the FIFO and opening it cannot miss the end of file).
     */
    private void abandon(TmuxTask task) {
        task.accepted = false;
        ends.unwatch(task);
        StateFiles.deleteTree(task.dir());
        Chores chores = services.chores();
        if (!chores.later(task::closeGo, services.timing().settle())) {
            task.closeGo(); // closed (meanwhile)
        }
    }

    /**
     * Before the backend closes: gives each wrapper that has not read its go yet a moment to
     * read it (a matter of milliseconds), as long as file events still report it. One that
     * does not is given the go again by a later JVM.
     */
    public void letWrappersReadTheirGo() {
        Timing timing = services.timing();
        long deadline = timing.nanos() + timing.goWait().toNanos();
        for (TmuxTask t : ends.tasks()) {
            if (t.accepted && !t.isDone()) {
                try {
                    CompletableFuture.anyOf(t.started, t.exit()).get(Math.max(0, deadline - timing.nanos()),
                            TimeUnit.NANOSECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    // not started in time: a later JVM gives the go again
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }
}
