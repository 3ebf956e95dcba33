package io.github.bgtasks.process;

import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process backend: drives one {@code spawner.pl} helper through its stdin and stdout.
 * Requests are written under a lock by the calling thread; one reader thread turns the
 * helper's replies into started pids and exit statuses for every task.
 */
final class Spawner implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(Spawner.class);
    /** Reads the script from stdin up to a sentinel line, then runs it on the rest of stdin. */
    private static final String LOADER = "$0 = \"bgtasks-spawner (java pid $ARGV[0])\"; "
            + "my $src = do { local $/ = \"\\n#END-OF-SPAWNER\\n\"; <STDIN> }; eval $src; die $@ if $@;";
    private static final long START_TIMEOUT_SECONDS = 30;
    private static final int INPUT_CHUNK = 32 * 1024;

    private final Process helper;
    private final OutputStream requests;
    private final Map<String, SpawnedTask> tasks = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Long>> starting = new ConcurrentHashMap<>();
    private final AtomicLong keys = new AtomicLong();
    /** The longest grace period of any task: how long the helper may still need after Q. */
    private final AtomicLong longestGraceMillis = new AtomicLong();
    private volatile boolean closed;

    Spawner(Path perl) throws IOException {
        helper = new ProcessBuilder(perl.toString(), "-e", LOADER, Long.toString(ProcessHandle.current().pid()))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        requests = helper.getOutputStream();
        try (InputStream script = Spawner.class.getResourceAsStream("spawner.pl")) {
            if (script == null) {
                throw new IOException("spawner.pl is missing from the bgtasks-process jar");
            }
            requests.write(script.readAllBytes());
            requests.write("\n#END-OF-SPAWNER\n".getBytes(StandardCharsets.US_ASCII));
            requests.flush();
        }
        BufferedReader replies = new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.US_ASCII));
        String ready = replies.readLine();
        if (ready == null || !ready.startsWith("ready ")) {
            helper.destroyForcibly();
            throw new IOException("the helper did not start (it said " + ready + "); see the JVM's stderr for Perl's message");
        }
        Thread reader = new Thread(() -> readReplies(replies), "bgtasks-process-events");
        reader.setDaemon(true);
        reader.start();
        LOG.debug("process backend helper started, pid {}", helper.pid());
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    public BackendTask launch(Launch launch) throws IOException {
        String key = "t" + keys.incrementAndGet();
        longestGraceMillis.accumulateAndGet(launch.stopGracePeriod().toMillis(), Math::max);
        SpawnedTask task = new SpawnedTask(this, key, launch);
        CompletableFuture<Long> started = new CompletableFuture<>();
        starting.put(key, started);
        tasks.put(key, task); // before the request, so that even an instant exit finds it
        StringBuilder req = new StringBuilder(256).append("S ").append(key).append(' ')
                .append(launch.stopGracePeriod().toMillis()).append(' ')
                .append(hex(launch.workingDirectory().toString())).append(' ')
                .append(hex(launch.logFile().toString()));
        appendEnvironmentChanges(req, launch.environment());
        req.append(' ').append(launch.argv().size());
        launch.argv().forEach(a -> req.append(' ').append(hex(a)));
        try {
            send(req.toString());
            started.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return task;
        } catch (ExecutionException e) {
            tasks.remove(key);
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            tasks.remove(key);
            throw new IOException("the helper did not answer within " + START_TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting", e);
        } finally {
            starting.remove(key);
        }
    }

    /**
     * The helper started with the JVM's environment, which cannot change, so only the task's
     * differences from it travel: usually one or two variables instead of the whole set.
     */
    private static void appendEnvironmentChanges(StringBuilder req, Map<String, String> env) {
        Map<String, String> inherited = System.getenv();
        StringBuilder set = new StringBuilder();
        int sets = 0;
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!e.getValue().equals(inherited.get(e.getKey()))) {
                set.append(' ').append(hex(e.getKey() + "=" + e.getValue()));
                sets++;
            }
        }
        StringBuilder unset = new StringBuilder();
        int unsets = 0;
        for (String name : inherited.keySet()) {
            if (!env.containsKey(name)) {
                unset.append(' ').append(hex(name));
                unsets++;
            }
        }
        req.append(' ').append(sets).append(set).append(' ').append(unsets).append(unset);
    }

    void signal(String key, String signal) throws IOException {
        send("K " + key + " " + signal);
    }

    void input(String key, byte[] bytes) throws IOException {
        for (int i = 0; i < bytes.length; i += INPUT_CHUNK) {
            int end = Math.min(bytes.length, i + INPUT_CHUNK);
            send("I " + key + " " + hex(bytes, i, end));
        }
    }

    void closeInput(String key) throws IOException {
        send("C " + key);
    }

    void forget(String key) {
        tasks.remove(key);
        try {
            send("F " + key);
        } catch (IOException e) {
            LOG.debug("could not tell the helper to forget {}", key, e);
        }
    }

    private void send(String request) throws IOException {
        byte[] line = (request + "\n").getBytes(StandardCharsets.US_ASCII);
        synchronized (requests) {
            if (closed) {
                throw new IOException("the process backend is closed");
            }
            requests.write(line);
            requests.flush();
        }
    }

    private void readReplies(BufferedReader replies) {
        try {
            for (String line = replies.readLine(); line != null; line = replies.readLine()) {
                handle(line.split(" ", -1));
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("lost contact with the process backend helper", e);
        }
        String why = closed ? "the process backend was closed while the task ran; it was left running, unobserved"
                : "the process backend's helper process died";
        if (!closed) {
            LOG.error("the bgtasks process helper (pid {}) ended unexpectedly; its tasks are reported LOST", helper.pid());
        }
        starting.values().forEach(f -> f.completeExceptionally(new IOException(why)));
        tasks.values().forEach(t -> t.exited(ExitStatus.lost(why)));
    }

    private void handle(String[] f) {
        switch (f[0]) {
            case "s" -> {
                SpawnedTask t = tasks.get(f[1]);
                long pid = Long.parseLong(f[2]);
                if (t != null) {
                    t.started(pid);
                }
                CompletableFuture<Long> s = starting.get(f[1]);
                if (s != null) {
                    s.complete(pid);
                }
            }
            case "f" -> {
                CompletableFuture<Long> s = starting.get(f[1]);
                if (s != null) {
                    s.completeExceptionally(new IOException(unhex(f.length > 2 ? f[2] : "")));
                }
            }
            case "x" -> {
                SpawnedTask t = tasks.get(f[1]);
                if (t != null) {
                    int n = Integer.parseInt(f[3]);
                    t.exited("k".equals(f[2]) ? ExitStatus.signaled(n) : ExitStatus.exited(n));
                }
            }
            case "w" -> LOG.warn("process backend helper: {}", unhex(f.length > 1 ? f[1] : ""));
            default -> LOG.warn("unexpected message from the process backend helper: {}", String.join(" ", f));
        }
    }

    @Override
    public void close() {
        synchronized (requests) {
            if (closed) {
                return;
            }
            closed = true; // before Q: the reader must never take the helper's exit for a crash
            try {
                requests.write("Q\n".getBytes(StandardCharsets.US_ASCII));
                requests.close();
            } catch (IOException e) {
                LOG.debug("helper already gone", e);
            }
        }
        try {
            // The helper stays until the leftovers of finished tasks got their SIGKILL.
            if (!helper.waitFor(longestGraceMillis.get() + 5_000, TimeUnit.MILLISECONDS)) {
                helper.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static String hex(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return hex(b, 0, b.length);
    }

    /** Encodes as {@code h} and hex digits, so that no field is empty. */
    private static String hex(byte[] b, int from, int to) {
        char[] out = new char[1 + 2 * (to - from)];
        out[0] = 'h';
        for (int i = from, o = 1; i < to; i++) {
            out[o++] = HEX[(b[i] >> 4) & 15];
            out[o++] = HEX[b[i] & 15];
        }
        return new String(out);
    }

    private static String unhex(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h, 2 * i, 2 * i + 2, 16);
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}
