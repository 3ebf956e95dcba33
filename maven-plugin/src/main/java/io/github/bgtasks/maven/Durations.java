package io.github.bgtasks.maven;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them in a POM: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h} or ISO {@code PT30S}. */
final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private Durations() {
    }

    static Duration parse(String parameter, String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE.matcher(t);
        Duration d;
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            } else {
                d = Duration.parse(text.trim());
            }
        } catch (DateTimeParseException | NullPointerException | ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException(parameter + " must be a duration such as 500ms, 30s, 2m, 1h or PT30S, was '"
                    + text + "'", e);
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(parameter + " must be positive, was '" + text + "'");
        }
        return d;
    }
}
