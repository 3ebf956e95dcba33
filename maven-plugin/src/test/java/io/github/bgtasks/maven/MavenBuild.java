package io.github.bgtasks.maven;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code mvn} build of a test project from {@code src/it-projects}, copied to
 * {@code target/it-work}. The builds use the private local repository that the invoker plugin
 * filled with this plugin and its dependencies ({@code target/it-repo}, never ~/.m2), and read
 * anything else (junit-bom, Maven's plugins...) from the user's repository, which the settings make
 * {@code central}: no network. Snapshots come only from the private repository. Each project
 * copy has its own {@code XDG_STATE_HOME} (mode 0700, beside it), so tasks kept after a build are
 * recorded there and never in the user's home.
 */
final class MavenBuild {
    private final Path dir;
    private final Path log;
    private final Path stateHome;

    private MavenBuild(Path dir, Path stateHome) {
        this.dir = dir;
        this.log = dir.resolve("build-output.txt");
        this.stateHome = stateHome;
    }

    /** Copies a test project from {@code src/it-projects}. */
    static MavenBuild of(String project) {
        return copy(Path.of(System.getProperty("it.projects"), project));
    }

    /** Copies a project (without its {@code target}). */
    static MavenBuild copy(Path source) {
        Path dir = Path.of(System.getProperty("it.work"), source.getFileName() + "-" + UUID.randomUUID());
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (source.relativize(f).startsWith("target")) {
                    continue;
                }
                Path to = dir.resolve(source.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return new MavenBuild(dir, dir.resolveSibling(dir.getFileName() + "-state"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts {@code mvn} on the project; its output (with stderr) goes to {@link #output()}. */
    Process start(String... args) throws IOException {
        Path settings = dir.resolve("it-settings.xml");
        // "central" itself points at the user's repository; no checksums there, so none are checked
        Files.writeString(settings, """
                <settings>
                  <profiles>
                    <profile>
                      <id>user-repository</id>
                      <repositories>
                        <repository>
                          <id>central</id>
                          <url>%1$s</url>
                          <releases><checksumPolicy>ignore</checksumPolicy></releases>
                          <snapshots><enabled>false</enabled></snapshots>
                        </repository>
                      </repositories>
                      <pluginRepositories>
                        <pluginRepository>
                          <id>central</id>
                          <url>%1$s</url>
                          <releases><checksumPolicy>ignore</checksumPolicy></releases>
                          <snapshots><enabled>false</enabled></snapshots>
                        </pluginRepository>
                      </pluginRepositories>
                    </profile>
                  </profiles>
                  <activeProfiles>
                    <activeProfile>user-repository</activeProfile>
                  </activeProfiles>
                </settings>
                """.formatted(Path.of(System.getProperty("user.repo")).toUri()));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("maven.home"), "bin", "mvn").toString(),
                "-B", "-ntp", "-s", settings.toString(), "-Dmaven.repo.local=" + System.getProperty("it.repo"),
                "-Dbgtasks.version=" + System.getProperty("it.version"), "-f", dir.resolve("pom.xml").toString()));
        cmd.addAll(List.of(args));
        Path state = stateHome();
        if (!Files.isDirectory(state)) {
            Files.createDirectory(state, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.environment().put("XDG_STATE_HOME", state.toString());
        return pb.start();
    }

    /** @return the {@code XDG_STATE_HOME} of the builds of this project copy */
    Path stateHome() {
        return stateHome;
    }

    /** @return this project copy, built with the {@code XDG_STATE_HOME} of another */
    MavenBuild sharingStateWith(MavenBuild other) {
        return new MavenBuild(dir, other.stateHome);
    }

    /** Runs {@code mvn} on the project to its end. */
    Result run(String... args) throws IOException, InterruptedException {
        Process p = start(args);
        try {
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the build did not end; its output:\n" + output());
            return new Result(p.exitValue(), output(), dir);
        } finally {
            p.destroyForcibly();
        }
    }

    /** @return what the build printed so far */
    String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A finished build: its exit code, output and project directory. */
    record Result(int exit, String output, Path dir) {
        void assertContains(String expected) {
            assertTrue(output.contains(expected), () -> "expected \"" + expected + "\" in the build's output:\n" + output);
        }
    }
}
