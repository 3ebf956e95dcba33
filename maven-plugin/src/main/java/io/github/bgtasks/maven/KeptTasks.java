package io.github.bgtasks.maven;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.process.ProcessBackend;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.apache.maven.plugin.logging.Log;
import org.apache.maven.project.MavenProject;

/**
 * Tasks kept after the build ({@code keepAfterBuild}): each {@code start} execution records its
 * tasks in a detached state directory of its own, so that {@code stop} finds them from a later
 * {@code mvn} run and the next {@code start} stops what a killed (or unfinished) build left.
 *
 * <p>The directory is keyed by the project's base directory and the execution's id, and only
 * that execution writes to it: whatever is found there is this execution's, so stopping it can
 * never reach another project's tasks. It lives outside {@code target} by default, because
 * {@code mvn clean} would delete the records of tasks that still run before {@code start} could
 * find them.
 */
final class KeptTasks {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    private KeptTasks() {
    }

    /**
     * @param configured the {@code stateDirectory} parameter (the root shared by all projects), or
     *     null for the default: {@code $XDG_STATE_HOME/bgtasks/maven}
     * @return the state directory of the execution {@code id} of this project:
     *     {@code <root>/<artifactId>-<hash of the base directory>/<id>}, so that projects that
     *     share a root (one set in a parent POM) never share a directory
     * @throws IllegalArgumentException if the id cannot name a directory
     */
    static Path directory(File configured, MavenProject project, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("<id> must be letters, digits, '_', '.' and '-' (not starting with one of "
                    + "the last three), was '" + id + "'");
        }
        Path root = configured != null ? configured.toPath().toAbsolutePath()
                : stateHome().resolve("bgtasks").resolve("maven");
        return root.resolve(key(project)).resolve(id);
    }

    /** The XDG base directory of state: {@code $XDG_STATE_HOME} if absolute, else {@code ~/.local/state}. */
    private static Path stateHome() {
        String xdg = System.getenv("XDG_STATE_HOME");
        return xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "state");
    }

    /** A readable name that two checkouts of one project do not share. */
    private static String key(MavenProject project) {
        String path = project.getBasedir().toPath().toAbsolutePath().normalize().toString();
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(path.getBytes(StandardCharsets.UTF_8));
            return project.getArtifactId().replaceAll("[^A-Za-z0-9_.-]", "_") + "-"
                    + HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** @return whether tasks were ever recorded there (checked without starting the backend's helper) */
    static boolean any(Path state) {
        Path tasks = state.resolve("tasks");
        if (!Files.isDirectory(tasks)) {
            return false;
        }
        try (DirectoryStream<Path> d = Files.newDirectoryStream(tasks)) {
            return d.iterator().hasNext();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the state directory " + state + ": " + e.getMessage(), e);
        }
    }

    /** @return an instance whose tasks are detached and recorded in {@code state} */
    static BackgroundTasks open(Path state, Path logDirectory, Duration grace) {
        return BackgroundTasks.builder().backend(ProcessBackend.detached(state)).logDirectory(logDirectory)
                .stopGracePeriod(grace).build();
    }

    /**
     * Stops every task recorded in {@code state} that still runs, reports those that ended
     * meanwhile with their last lines, and forgets them all.
     *
     * @param why how the report calls these tasks, such as "left by an earlier build"
     * @return how many tasks were still running
     */
    static int stopAll(Path state, Path logDirectory, Duration grace, int tailLines, Log log, String why) {
        if (!any(state)) {
            return 0;
        }
        try (BackgroundTasks bg = open(state, logDirectory, grace)) {
            List<TaskHandle> found = bg.list();
            List<TaskHandle> running = new ArrayList<>();
            List<CompletableFuture<TaskResult>> ends = new ArrayList<>();
            for (TaskHandle h : found) {
                if (h.state().isTerminal()) {
                    List<String> tail = h.tail(tailLines);
                    log.warn("bgtasks: task '" + h.name() + "' " + why + " ended meanwhile: " + h.onExit().join().summary()
                            + "; log " + h.logFile() + (tail.isEmpty() ? "" : ", last " + tail.size() + " lines:"));
                    tail.forEach(line -> log.warn("  | " + line));
                } else {
                    log.warn("bgtasks: stopping task '" + h.name() + "' (pid " + h.pid().orElse(-1) + ") " + why);
                    running.add(h);
                    ends.add(h.stop()); // all at once: the grace periods run side by side
                }
            }
            for (int i = 0; i < running.size(); i++) {
                log.info("bgtasks: stopped task '" + running.get(i).name() + "': " + ends.get(i).join().summary());
            }
            for (TaskHandle h : found) {
                try {
                    bg.remove(h); // its record goes; the log stays
                } catch (RuntimeException e) {
                    log.warn("bgtasks: could not forget task '" + h.name() + "': " + e.getMessage());
                }
            }
            return running.size();
        }
    }
}
