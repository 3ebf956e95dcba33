package io.github.bgtasks.maven;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code mvn} build of a test project from {@code src/it-projects}, copied to
 * {@code target/it-work}. The builds use the private local repository that the invoker plugin
 * filled with this plugin and its dependencies ({@code target/it-repo}, never ~/.m2), and read
 * anything else (junit-bom...) from the user's repository through a file mirror: no network.
 */
final class MavenBuild {
    private final Path dir;
    private final Path log;

    private MavenBuild(Path dir) {
        this.dir = dir;
        this.log = dir.resolve("build-output.txt");
    }

    /** Copies a test project. */
    static MavenBuild of(String project) {
        Path source = Path.of(System.getProperty("it.projects"), project);
        Path dir = Path.of(System.getProperty("it.work"), project + "-" + UUID.randomUUID());
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path to = dir.resolve(source.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return new MavenBuild(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts {@code mvn} on the project; its output (with stderr) goes to {@link #output()}. */
    Process start(String... args) throws IOException {
        Path settings = dir.resolve("it-settings.xml");
        Files.writeString(settings, """
                <settings>
                  <mirrors>
                    <mirror>
                      <id>user-repository</id>
                      <mirrorOf>*</mirrorOf>
                      <url>%s</url>
                    </mirror>
                  </mirrors>
                </settings>
                """.formatted(Path.of(System.getProperty("user.repo")).toUri()));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("maven.home"), "bin", "mvn").toString(),
                "-B", "-ntp", "-s", settings.toString(), "-Dmaven.repo.local=" + System.getProperty("it.repo"),
                "-Dbgtasks.version=" + System.getProperty("it.version"), "-f", dir.resolve("pom.xml").toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    }

    /** Runs {@code mvn} on the project to its end. */
    Result run(String... args) throws IOException, InterruptedException {
        Process p = start(args);
        try {
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the build did not end; its output:\n" + output());
            return new Result(p.exitValue(), output());
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

    /** A finished build: its exit code and output. */
    record Result(int exit, String output) {
        void assertContains(String expected) {
            assertTrue(output.contains(expected), () -> "expected \"" + expected + "\" in the build's output:\n" + output);
        }
    }
}
