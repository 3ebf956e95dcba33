package io.github.bgtasks.maven;

import io.github.bgtasks.TaskHandle;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * Stops the tasks that a {@code start} execution with the same {@code id} started in this
 * build, in this module or an earlier one: SIGTERM to every process of each task, SIGKILL after
 * the grace period, and waits for their ends. A task that ended by itself before is reported
 * with its last lines. When no such execution ran in this build, it stops the tasks that an
 * earlier {@code mvn} run of this project kept after the build ({@code keepAfterBuild}), found
 * in the execution's state directory: {@code mvn bgtasks:stop} (add {@code -Dbgtasks.id=..} for
 * an execution with another id).
 */
@Mojo(name = "stop", defaultPhase = LifecyclePhase.POST_INTEGRATION_TEST, threadSafe = true)
public class StopMojo extends AbstractMojo {
    /** The id of the {@code start} execution whose tasks to stop. */
    @Parameter(property = "bgtasks.id", defaultValue = "default")
    private String id;

    /** How many of an ended task's last lines to print. */
    @Parameter(property = "bgtasks.tailLines", defaultValue = "30")
    private int tailLines;

    /** The root under which {@code start} recorded the tasks it kept after the build: the same as its {@code stateDirectory}. */
    @Parameter(property = "bgtasks.stateDirectory")
    private File stateDirectory;

    /** How long a task found from an earlier run has between SIGTERM and SIGKILL. */
    @Parameter(property = "bgtasks.stopGracePeriod", defaultValue = "10s")
    private String stopGracePeriod;

    /** The log directory of the instance that stops tasks found from an earlier run (their logs stay where they are). */
    @Parameter(property = "bgtasks.logDirectory", defaultValue = "${project.build.directory}/bgtasks")
    private File logDirectory;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    /** Skips stopping (and {@code start} skips too, with the same property). */
    @Parameter(property = "bgtasks.skip", defaultValue = "false")
    private boolean skip;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    private MavenSession session;

    /** For Maven. */
    public StopMojo() {
    }

    @Override
    public void execute() throws MojoExecutionException {
        if (skip) {
            getLog().info("bgtasks: stop skipped (bgtasks.skip)");
            return;
        }
        Optional<Started> started = BuildTasks.take(session.getRequest(), id);
        if (started.isEmpty()) {
            int stopped;
            try {
                Path state = KeptTasks.directory(stateDirectory, project, id);
                stopped = KeptTasks.any(state) ? KeptTasks.stopAll(state, logDirectory.toPath(),
                        Durations.parse("stopGracePeriod", stopGracePeriod), tailLines, getLog(),
                        "kept by an earlier build") : -1;
            } catch (RuntimeException e) {
                throw new MojoExecutionException("bgtasks: " + e.getMessage(), e);
            }
            if (stopped < 0) {
                getLog().warn("bgtasks: no tasks of id '" + id + "' were started in this build or kept by an earlier "
                        + "one, so none were stopped");
            }
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
