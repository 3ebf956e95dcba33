package io.github.bgtasks.maven;

import io.github.bgtasks.TaskHandle;
import java.util.List;
import java.util.Optional;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Stops the tasks that a {@code start} execution with the same {@code id} started in this
 * build, in this module or an earlier one: SIGTERM to every process of each task, SIGKILL after
 * the grace period, and waits for their ends. A task that ended by itself before is reported
 * with its last lines. Tasks of an earlier {@code mvn} run are not found (that needs on-disk task
 * state, issue 11).
 */
@Mojo(name = "stop", defaultPhase = LifecyclePhase.POST_INTEGRATION_TEST, threadSafe = true)
public class StopMojo extends AbstractMojo {
    /** The id of the {@code start} execution whose tasks to stop. */
    @Parameter(property = "bgtasks.id", defaultValue = "default")
    private String id;

    /** How many of an ended task's last lines to print. */
    @Parameter(property = "bgtasks.tailLines", defaultValue = "30")
    private int tailLines;

    /** Skips stopping (and {@code start} skips too, with the same property). */
    @Parameter(property = "bgtasks.skip", defaultValue = "false")
    private boolean skip;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    private MavenSession session;

    /** For Maven. */
    public StopMojo() {
    }

    @Override
    public void execute() {
        if (skip) {
            getLog().info("bgtasks: stop skipped (bgtasks.skip)");
            return;
        }
        Optional<Started> started = BuildTasks.take(session.getRequest(), id);
        if (started.isEmpty()) {
            getLog().warn("bgtasks: no tasks of id '" + id + "' were started in this build, so none were stopped");
            return;
        }
        for (TaskHandle h : started.get().handles()) {
            if (h.state().isTerminal()) {
                List<String> tail = h.tail(tailLines);
                getLog().warn("bgtasks: task '" + h.name() + "' ended before stop: " + h.onExit().join().summary()
                        + "; log " + h.logFile() + (tail.isEmpty() ? "" : ", last " + tail.size() + " lines:"));
                tail.forEach(line -> getLog().warn("  | " + line));
            }
        }
        started.get().stop(line -> getLog().info("bgtasks: " + line));
    }
}
