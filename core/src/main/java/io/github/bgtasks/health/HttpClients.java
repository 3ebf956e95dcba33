package io.github.bgtasks.health;

import io.github.bgtasks.internal.posix.DaemonThreads;
import java.net.http.HttpClient;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The one {@link HttpClient} of HTTP checks and readiness, created on first use: its selector
 * thread and a small daemon pool serve every instance, and {@code sendAsync} holds no thread
 * while a server takes its time.
 */
final class HttpClients {
    static final Supplier<HttpClient> SHARED = new Supplier<>() {
        private volatile HttpClient client;

        @Override
        public HttpClient get() {
            HttpClient c = client;
            if (c == null) {
                synchronized (this) {
                    if (client == null) {
                        client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                                .executor(Executors.newFixedThreadPool(2, DaemonThreads.factory("bgtasks-http"))).build();
                    }
                    c = client;
                }
            }
            return c;
        }
    };

    private HttpClients() {
    }
}
