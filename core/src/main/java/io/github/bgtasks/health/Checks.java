package io.github.bgtasks.health;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/** Argument checks shared by {@link HealthCheck} and {@link Readiness}: messages name the value. */
final class Checks {
    private Checks() {
    }

    static int port(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, was " + port);
        }
        return port;
    }

    static int status(int status) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("expected HTTP status must be between 100 and 599, was " + status);
        }
        return status;
    }

    static URI url(String url) {
        Objects.requireNonNull(url, "URL must not be null");
        try {
            return url(new URI(url));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("URL '" + url + "' is malformed: " + e.getMessage(), e);
        }
    }

    static URI url(URI uri) {
        Objects.requireNonNull(uri, "URL must not be null");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("URL '" + uri + "' must be absolute, http:// or https://, with a host,"
                    + " such as http://127.0.0.1:8000/");
        }
        return uri;
    }

    static String name(String name) {
        Objects.requireNonNull(name, "check name must not be null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("check name must not be blank");
        }
        return name;
    }
}
