package example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** An integration test against the server that bgtasks-maven-plugin started. */
class GreetingIT {
    @Test
    void theServerGreets() throws Exception {
        URI uri = URI.create(System.getProperty("server.url")).resolve("hello.txt");
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("hello from the example\n", r.body());
        System.out.println("GreetingIT: " + uri + " answered: " + r.body().strip());
    }
}
