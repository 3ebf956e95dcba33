package io.github.bgtasks.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.junit5.BackgroundTasksExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's JUnit 5 example: an HTTP server on a free port, started once for the class and
 * ready when it answers 200, stopped (with its whole process tree) after the class. A failing
 * test would show the server's last lines and log path.
 */
class WebServerExampleTest {
    @RegisterExtension
    static final BackgroundTasksExtension SERVER = BackgroundTasksExtension.builder()
            .task(ports -> TaskSpec.builder("python3", "-m", "http.server", String.valueOf(ports.port("http")),
                            "--bind", "127.0.0.1", "--directory", site().toString())
                    .name("web")
                    .readiness(Readiness.http(URI.create("http://127.0.0.1:" + ports.port("http") + "/"), 200),
                            Duration.ofSeconds(30))
                    .build())
            .build();

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void servesTheGreeting() throws Exception {
        assertEquals("hello from bgtasks\n", get("/hello.txt"));
    }

    @Test
    void logsEachRequest(TaskHandle web) throws Exception {
        get("/hello.txt");
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> web.tail(20).stream().anyMatch(line -> line.contains("\"GET /hello.txt HTTP/1.1\" 200")));
    }

    private static String get(String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + SERVER.port("http") + path);
        return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The directory the server serves, made when the task starts. */
    private static Path site() {
        try {
            Path dir = Files.createDirectories(Path.of("target", "example-site"));
            Files.writeString(dir.resolve("hello.txt"), "hello from bgtasks\n");
            return dir.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
