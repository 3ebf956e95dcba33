package io.github.bgtasks.junit5.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.junit5.BackgroundTasksExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Run through EngineTestKit: an HTTP server on a free port, ready by HTTP status. */
public class HttpServerSample {
    /** The marker argument of the server (an extra, ignored argument); set before the run. */
    public static volatile String marker;
    /** The directory the server serves; set before the run. */
    public static volatile Path root;

    @RegisterExtension
    static final BackgroundTasksExtension TASKS = BackgroundTasksExtension.builder()
            .task(ports -> TaskSpec.builder("sh", "-c", "python3 -m http.server --bind 127.0.0.1 --directory \"$1\" \"$2\" & wait",
                            marker, root.toString(), String.valueOf(ports.port("http")))
                    .name("web")
                    .readiness(Readiness.http(URI.create("http://127.0.0.1:" + ports.port("http") + "/"), 200),
                            Duration.ofMinutes(1))
                    .build())
            .build();

    @Test
    void servesTheFile(TaskHandle web) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + TASKS.port("http") + "/hello.txt")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("hello from a file\n", r.body());
        assertEquals("web", web.name());
    }
}
