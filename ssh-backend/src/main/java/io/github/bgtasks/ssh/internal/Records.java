package io.github.bgtasks.ssh.internal;

import io.github.bgtasks.internal.records.LaunchProperties;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
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
        LaunchProperties.put(l, p);
        StringWriter w = new StringWriter();
        p.store(w, "bgtasks ssh task record");
        return w.toString().getBytes(StandardCharsets.UTF_8);
    }

    static Launch read(byte[] record) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(new String(record, StandardCharsets.UTF_8)));
        return LaunchProperties.launch(p);
    }
}
