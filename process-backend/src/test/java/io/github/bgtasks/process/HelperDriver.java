package io.github.bgtasks.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * Drives a {@code spawner.pl} helper directly through its line protocol (see the script's
 * header), without {@link Spawner}: for tests of the helper's own side of the protocol.
 * Every reply is kept, in order. Not thread-safe, except for reading {@link #replies()}.
 */
final class HelperDriver implements AutoCloseable {
    /** The same loader as {@link Spawner}'s, naming the process apart from a real backend's helper. */
    private static final String LOADER = "$0 = \"bgtasks-spawner (test driver $ARGV[0])\"; "
            + "my $src = do { local $/ = \"\\n#END-OF-SPAWNER\\n\"; <STDIN> }; eval $src; die $@ if $@;";

    private final Process process;
    private final OutputStream requests;
    private final List<String> replies = new CopyOnWriteArrayList<>();

    HelperDriver() throws IOException {
        this(List.of());
    }

    /** @param launcher run before perl, with perl's command line as its arguments (e.g. a shell that sets traps) */
    HelperDriver(List<String> launcher) throws IOException {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(Perl.find().toString(), "-e", LOADER, Long.toString(ProcessHandle.current().pid())));
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        requests = process.getOutputStream();
        try (InputStream script = Spawner.class.getResourceAsStream("spawner.pl")) {
            requests.write(script.readAllBytes());
            requests.write("\n#END-OF-SPAWNER\n".getBytes(StandardCharsets.US_ASCII));
            requests.flush();
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        Thread reader = new Thread(() -> {
            try {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    replies.add(line);
                }
            } catch (IOException e) {
                replies.add("reader failed: " + e);
            }
        }, "helper-driver-replies");
        reader.setDaemon(true);
        reader.start();
        awaitReply(r -> r.startsWith("ready "));
    }

    /** @return the helper's process */
    Process process() {
        return process;
    }

    /** Sends one request line. */
    void send(String line) {
        try {
            requests.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            requests.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a task with the JVM's environment and waits for its {@code s} reply; returns its pid. */
    long start(String id, long graceMillis, Path cwd, Path log, String... argv) {
        StringBuilder req = new StringBuilder("S ").append(id).append(' ').append(graceMillis).append(' ')
                .append(hex(cwd.toString())).append(' ').append(hex(log.toString())).append(" h 0 0 0 ").append(argv.length);
        for (String a : argv) {
            req.append(' ').append(hex(a));
        }
        send(req.toString());
        String r = awaitReply(l -> l.startsWith("s " + id + " ") || l.startsWith("f " + id + " "));
        if (r.startsWith("f ")) {
            throw new AssertionError("the task did not start: " + unhex(r.split(" ")[2]));
        }
        return Long.parseLong(r.split(" ")[2]);
    }

    /** @return every reply so far, in order */
    List<String> replies() {
        return new ArrayList<>(replies);
    }

    /** Waits (generously) for a reply that matches, and returns the first such. */
    String awaitReply(Predicate<String> which) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(() -> replies.stream().anyMatch(which));
        return replies.stream().filter(which).findFirst().orElseThrow();
    }

    /** @return the total of the {@code i} replies (input acknowledged) for a task */
    long acknowledged(String id) {
        return replies.stream().filter(l -> l.startsWith("i " + id + " "))
                .mapToLong(l -> Long.parseLong(l.split(" ")[2])).sum();
    }

    /** Ends the helper's input without {@code Q} (as the JVM's death does): it ends its tasks and exits; killed if it lingers. */
    @Override
    public void close() {
        try {
            requests.close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    static String hex(String s) {
        return hex(s.getBytes(StandardCharsets.UTF_8));
    }

    static String hex(byte[] b) {
        StringBuilder out = new StringBuilder(1 + 2 * b.length).append('h');
        for (byte x : b) {
            out.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
        }
        return out.toString();
    }

    static String unhex(String h) {
        byte[] b = new byte[(h.length() - 1) / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h, 1 + 2 * i, 3 + 2 * i, 16);
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}
