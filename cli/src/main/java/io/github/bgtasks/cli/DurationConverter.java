package io.github.bgtasks.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a positive duration as people write it at a terminal: {@code 90s}, {@code 5m},
 * {@code 1h30m}, {@code 500ms}, {@code 2d}, or ISO-8601 ({@code PT5M}).
 */
final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|d|h|m|s)");

    @Override
    public Duration convert(String value) {
        Duration d = parse(value.trim());
        if (d == null) {
            throw new TypeConversionException("'" + value + "' is not a duration; write it as 30s, 5m, 1h30m, 500ms,"
                    + " 2d or PT5M");
        }
        if (d.isZero() || d.isNegative()) {
            throw new TypeConversionException("'" + value + "' is not a positive duration");
        }
        return d;
    }

    private static Duration parse(String s) {
        if (s.startsWith("P") || s.startsWith("p")) {
            try {
                return Duration.parse(s);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        Matcher m = PART.matcher(s);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < s.length() && m.find(at) && m.start() == at) {
            long n;
            try {
                n = Long.parseLong(m.group(1));
                total = total.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                });
            } catch (ArithmeticException | NumberFormatException e) {
                return null;
            }
            at = m.end();
        }
        return at == s.length() && at > 0 ? total : null;
    }
}
