package io.github.bgtasks.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One contender in a JVM of its own, driven by {@link SideBySide} over stdin: one command a
 * line, one answer a line on stdout ({@code ok <values>} or {@code error <message>}). Keeping
 * each contender's JVM alive between commands lets the rounds interleave over contenders while
 * no contender shares a JVM (reaper threads, JIT, helper state) with another.
 *
 * <p>Commands, each timing every task from {@code start()} to the end callback:
 * <ul>
 *   <li>{@code starts <n>}: n × {@code /bin/true}, one after another; answers the milliseconds
 *       of each task, comma-separated;
 *   <li>{@code live <n> <marker>}: n × {@code sleep <marker>} that stay alive; answers the
 *       milliseconds to start them all, how many were seen running, and, after every task was
 *       killed, how many survived (found in {@code /proc} by the marker);
 *   <li>{@code latency <n>}: n × {@code sh -c 'sleep 0.05; exec date +%s%N'}, one after another;
 *       answers how many logs were incomplete when the callback ran, then the milliseconds from
 *       the printed timestamp to the callback, comma-separated;
 *   <li>{@code output <bytes>}: one {@code head -c <bytes> /dev/zero}; answers MiB/s and the
 *       log's size when the callback ran;
 *   <li>{@code quit}.
 * </ul>
 *
 * <p>Arguments: the contender ({@link Contender#of}) and a work directory.
 */
public final class ContenderProbe {
    private static final long PATIENCE_SECONDS = 120;
    private static final List<String> TRUE = List.of("/bin/true");
    private static final List<String> LATENCY = List.of("sh", "-c", "sleep 0.05; exec date +%s%N");

    private final Contender contender;
    private int taskNumber;

    private ContenderProbe(Contender contender) {
        this.contender = contender;
    }

    /**
     * Serves commands until {@code quit} or the end of stdin.
     *
     * @param args contender, work directory
     * @throws Exception if the contender could not be created or closed
     */
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Contender c = Contender.of(args[0], Path.of(args[1]))) {
            ContenderProbe probe = new ContenderProbe(c);
            for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
                String answer;
                try {
                    answer = "ok " + probe.serve(line.split(" "));
                } catch (Exception | Error e) {
                    e.printStackTrace();
                    answer = "error " + e.toString().replace('\n', ' ');
                }
                System.out.println(answer);
                System.out.flush();
            }
        }
    }

    private String serve(String[] cmd) throws Exception {
        return switch (cmd[0]) {
            case "starts" -> starts(Integer.parseInt(cmd[1]));
            case "live" -> live(Integer.parseInt(cmd[1]), cmd[2]);
            case "latency" -> latency(Integer.parseInt(cmd[1]));
            case "output" -> output(Long.parseLong(cmd[1]));
            default -> throw new IllegalArgumentException("unknown command " + String.join(" ", cmd));
        };
    }

    private String starts(int n) throws Exception {
        StringJoiner ms = new StringJoiner(",");
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            Contender.Ended e = succeeded(contender.start(nextName(), TRUE), "/bin/true");
            ms.add(String.format("%.3f", (e.nanos() - t0) / 1e6));
        }
        return ms.toString();
    }

    private String live(int n, String marker) throws Exception {
        List<Contender.Started> started = new ArrayList<>(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            started.add(contender.start(nextName(), List.of("sleep", marker)));
        }
        long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        int running = awaitRunning(marker, n);
        List<CompletableFuture<?>> kills = new ArrayList<>(n);
        for (Contender.Started s : started) {
            kills.add(s.kill().kill());
        }
        CompletableFuture.allOf(kills.toArray(CompletableFuture[]::new)).get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        int survivors = Processes.killLeftoverSleeps(marker, Duration.ofSeconds(10));
        return startMillis + " " + running + " " + survivors;
    }

    /** A session's command may fork its {@code sleep} a moment after {@code start()} returned. */
    private static int awaitRunning(String marker, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int running = Processes.sleepsWith(marker).size();
        while (running < n && System.nanoTime() < deadline) {
            Thread.sleep(100);
            running = Processes.sleepsWith(marker).size();
        }
        return running;
    }

    private String latency(int n) throws Exception {
        int incomplete = 0;
        StringJoiner ms = new StringJoiner(",");
        for (int i = 0; i < n; i++) {
            Contender.Started s = contender.start(nextName(), LATENCY);
            Contender.Ended e = succeeded(s, "the latency script");
            // 19 digits and a line end: anything less means the callback ran before the log was complete.
            if (e.logBytes() < 20) {
                incomplete++;
            }
            String printed = Files.readString(s.log()).replaceAll("[^0-9]", "");
            if (printed.length() < 19) {
                throw new IllegalStateException("no nanosecond timestamp in " + s.log() + ": '" + printed + "'");
            }
            ms.add(String.format("%.3f", (e.epochNanos() - Long.parseLong(printed)) / 1e6));
        }
        return incomplete + " " + ms;
    }

    private String output(long bytes) throws Exception {
        long t0 = System.nanoTime();
        Contender.Started s = contender.start(nextName(), List.of("head", "-c", Long.toString(bytes), "/dev/zero"));
        Contender.Ended e = succeeded(s, "head");
        double seconds = (e.nanos() - t0) / 1e9;
        long finalSize = Files.size(s.log());
        Files.delete(s.log()); // hundreds of MiB each
        if (finalSize != bytes) {
            throw new IllegalStateException(s.log() + " holds " + finalSize + " bytes, expected " + bytes);
        }
        return String.format("%.1f %d", bytes / (1024.0 * 1024.0) / seconds, e.logBytes());
    }

    private static Contender.Ended succeeded(Contender.Started s, String what) throws Exception {
        Contender.Ended e = s.ended().get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        if (!e.succeeded()) {
            throw new IllegalStateException(what + " failed; log " + s.log());
        }
        return e;
    }

    private String nextName() {
        return "t" + ++taskNumber;
    }
}
