package io.github.bgtasks.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ordered table of {@link Hint hints}. {@link #defaults()} knows: exit 127 (command not
 * found, with the {@code PATH} searched), exit 126 (not executable), a SIGKILL that bgtasks did
 * not send (likely the out-of-memory killer), "address already in use",
 * {@code java.lang.OutOfMemoryError}, the first {@code [ERROR]} of a Maven build and the first
 * {@code npm ERR!}. Extend it with {@link #with(Hint)} and give it to
 * {@code BackgroundTasks.Builder.hints(..)}.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class Hints {
    private static final Logger LOG = LoggerFactory.getLogger(Hints.class);
    private static final Pattern ADDRESS_IN_USE = Pattern.compile("(?i)address already in use|EADDRINUSE|port \\d+ (?:was|is) already in use");
    private static final Pattern PORT = Pattern.compile("(?i)(?:port\\s*|:|,\\s*)(\\d{2,5})\\b");
    private static final Pattern OOM = Pattern.compile("java\\.lang\\.OutOfMemoryError(?::\\s*(.*))?");
    private static final Hints DEFAULTS = new Hints(List.of(
            Hints::commandNotFound, Hints::notExecutable, Hints::unexplainedKill, Hints::addressInUse,
            Hints::javaOutOfMemory, firstLine("[ERROR]", "Maven: "), firstLine("npm ERR!", "npm: ")));

    private final List<Hint> hints;

    private Hints(List<Hint> hints) {
        this.hints = List.copyOf(hints);
    }

    /** @return the built-in table */
    public static Hints defaults() {
        return DEFAULTS;
    }

    /** @return a table that knows nothing */
    public static Hints none() {
        return new Hints(List.of());
    }

    /**
     * Returns a table that asks {@code hint} first, then this table's hints.
     *
     * @param hint the hint
     * @return a new table
     */
    public Hints with(Hint hint) {
        Objects.requireNonNull(hint, "hint must not be null");
        List<Hint> all = new ArrayList<>();
        all.add(hint);
        all.addAll(hints);
        return new Hints(all);
    }

    /**
     * Asks each hint in turn.
     *
     * @param facts what is known
     * @return the first hint's line, or empty
     */
    public Optional<String> explain(Hint.Facts facts) {
        Objects.requireNonNull(facts, "facts must not be null");
        for (Hint h : hints) {
            try {
                Optional<String> line = h.explain(facts);
                if (line != null && line.isPresent()) {
                    return line;
                }
            } catch (RuntimeException e) {
                LOG.warn("hint {} failed; skipping it", h, e);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> commandNotFound(Hint.Facts f) {
        if (f.exitCode().orElse(-1) != 127) {
            return Optional.empty();
        }
        return Optional.of("exit 127: command not found: '" + f.program() + "' (or a command it runs) is not on the PATH"
                + (f.path().isEmpty() ? "" : " searched (" + f.path() + ")")
                + "; install it, give its full path, or add its directory to PATH");
    }

    private static Optional<String> notExecutable(Hint.Facts f) {
        if (f.exitCode().orElse(-1) != 126) {
            return Optional.empty();
        }
        return Optional.of("exit 126: '" + f.program() + "' (or a command it runs) was found but could not be executed;"
                + " check its execute permission (chmod +x), its #! line, and that it is not a directory");
    }

    private static Optional<String> unexplainedKill(Hint.Facts f) {
        if (f.signal().orElse(0) != 9 || f.signalledByBgtasks()) {
            return Optional.empty();
        }
        return Optional.of("killed by SIGKILL, which bgtasks did not send: likely the kernel's out-of-memory killer"
                + " (see 'dmesg | grep -i oom' or the container's memory limit); give it more memory or use less");
    }

    private static Optional<String> addressInUse(Hint.Facts f) {
        for (String line : f.lines()) {
            if (ADDRESS_IN_USE.matcher(line).find()) {
                Matcher port = PORT.matcher(line);
                String which = port.find() ? " (port " + port.group(1) + ")" : "";
                return Optional.of("address already in use" + which + ": another process listens there;"
                        + " stop it (find it with 'ss -ltnp'), or choose another port");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> javaOutOfMemory(Hint.Facts f) {
        for (String line : f.lines()) {
            Matcher m = OOM.matcher(line);
            if (m.find()) {
                String kind = m.group(1) == null || m.group(1).isBlank() ? "" : " (" + m.group(1).trim() + ")";
                return Optional.of("java.lang.OutOfMemoryError" + kind + ": raise the JVM's limit (-Xmx, or"
                        + " -XX:MaxMetaspaceSize for Metaspace), or find the leak with a heap dump");
            }
        }
        return Optional.empty();
    }

    /** The first line that contains {@code marker}, as the build tool wrote it. */
    private static Hint firstLine(String marker, String prefix) {
        return f -> f.lines().stream().filter(l -> l.contains(marker)).findFirst()
                .map(l -> prefix + l.strip());
    }

    @Override
    public String toString() {
        return "Hints" + hints;
    }
}
