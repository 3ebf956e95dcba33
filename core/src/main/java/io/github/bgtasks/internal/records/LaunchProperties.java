package io.github.bgtasks.internal.records;

import io.github.bgtasks.spi.Launch;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * A launch as properties and back: the one format of the task records that backends keep on
 * disk so that a later JVM can find their tasks. The environment is left out on purpose: it may
 * hold secrets and is not needed to watch or stop a task.
 */
public final class LaunchProperties {
    private LaunchProperties() {
    }

    /**
     * Writes the launch into {@code p}; the caller adds its own keys beside.
     *
     * @param l the launch
     * @param p where to write
     * @return {@code p}
     */
    public static Properties put(Launch l, Properties p) {
        p.setProperty("id", l.id());
        p.setProperty("name", l.name());
        p.setProperty("argc", Integer.toString(l.argv().size()));
        for (int i = 0; i < l.argv().size(); i++) {
            p.setProperty("arg." + i, l.argv().get(i));
        }
        p.setProperty("workingDirectory", l.workingDirectory().toString());
        p.setProperty("logFile", l.logFile().toString());
        p.setProperty("startedAt", l.startedAt().toString());
        l.timeout().ifPresent(d -> p.setProperty("timeout", d.toString()));
        p.setProperty("stopGracePeriod", l.stopGracePeriod().toString());
        return p;
    }

    /**
     * Reads a launch that {@link #put} wrote.
     *
     * @param p the properties
     * @return the launch, without its environment
     * @throws RuntimeException if a key is missing or a value malformed
     */
    public static Launch launch(Properties p) {
        List<String> argv = new ArrayList<>();
        int argc = Integer.parseInt(p.getProperty("argc"));
        for (int i = 0; i < argc; i++) {
            argv.add(Objects.requireNonNull(p.getProperty("arg." + i), "arg." + i));
        }
        String timeout = p.getProperty("timeout");
        return Launch.builder(p.getProperty("id"), p.getProperty("name"), argv)
                .workingDirectory(Path.of(p.getProperty("workingDirectory")))
                .logFile(Path.of(p.getProperty("logFile")))
                .startedAt(Instant.parse(p.getProperty("startedAt")))
                .timeout(timeout == null ? null : Duration.parse(timeout))
                .stopGracePeriod(Duration.parse(p.getProperty("stopGracePeriod")))
                .build();
    }
}
