package io.github.bgtasks.ssh.internal;

import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * A task's record on its host ({@code tasks/<tag>/task.properties}): what a later JVM needs to
 * list the task again. The environment is not kept (it can hold secrets). This class is
 * thread-safe.
 */
final class Records {
    private Records() {
    }

    static byte[] write(Launch l) throws IOException {
        Properties p = new Properties();
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
        StringWriter w = new StringWriter();
        p.store(w, "bgtasks ssh task record");
        return w.toString().getBytes(StandardCharsets.UTF_8);
    }

    static Launch read(byte[] record) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(new String(record, StandardCharsets.UTF_8)));
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
