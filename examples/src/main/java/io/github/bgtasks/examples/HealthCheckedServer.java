package io.github.bgtasks.examples;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.Alert;
import io.github.bgtasks.health.HealthCheck;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.process.ProcessBackend;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * "Serve the site, check it over HTTP and TCP, and tell me when it breaks." The example breaks
 * the server itself, twice: it freezes it ({@code SIGSTOP}: no request is answered, and once
 * the kernel's queue of unaccepted connections is full no connection either), and the checks
 * report it; then it kills it ({@code SIGKILL}) and the task's end is reported. Each alert
 * names its check and the evidence.
 */
public final class HealthCheckedServer {
    private HealthCheckedServer() {
    }

    /**
     * Runs the example.
     *
     * @param args {@code --fast} for the quick variant the tests run
     * @throws IOException if the site's directory cannot be made
     */
    public static void main(String[] args) throws IOException {
        Path site = Files.createDirectories(Path.of("target", "example-site").toAbsolutePath());
        try (BackgroundTasks tasks = BackgroundTasks.builder()
                .backend(ProcessBackend.create())
                .logDirectory(Path.of("target", "example-logs").toAbsolutePath())
                .build()) {
            run(tasks, site, System.out, args.length > 0 && args[0].equals("--fast"));
        }
    }

    /**
     * The example proper.
     *
     * @param site the directory the server serves
     * @param fast checks five times a second instead of once
     */
    static void run(BackgroundTasks tasks, Path site, PrintStream out, boolean fast) {
        int port = freePort();
        Duration every = Duration.ofMillis(fast ? 200 : 1000);
        BlockingQueue<Alert> alerts = new LinkedBlockingQueue<>();
        TaskHandle web = tasks.start(TaskSpec.builder("python3", "-u", "-m", "http.server", String.valueOf(port),
                        "--bind", "127.0.0.1", "--directory", site.toString())
                .name("web")
                // -u: Python buffers its output when it is not a terminal, and readiness waits for the line
                .readiness(Readiness.logLine(Pattern.compile("Serving HTTP")), Duration.ofSeconds(30))
                .healthCheck(HealthCheck.alive())
                .healthCheck(HealthCheck.http(URI.create("http://127.0.0.1:" + port + "/"))
                        .every(every).timeout(Duration.ofSeconds(2)).failureThreshold(2))
                .healthCheck(HealthCheck.tcp("127.0.0.1", port).every(every).timeout(Duration.ofSeconds(2)))
                .build());
        web.addAlertListener(alerts::add);
        web.onReady().join();
        out.printf("%s is serving %s on port %d (pid %d)%n", web.id(), site, port, web.pid().orElseThrow());

        signal(web, "STOP");
        out.println("froze the server with SIGSTOP");
        out.println("ALERT " + next(alerts, out, a -> a.kind() == Alert.Kind.UNHEALTHY && a.check().startsWith("http")));

        signal(web, "KILL");
        out.println("killed the server with SIGKILL");
        out.println("ALERT " + next(alerts, out, a -> a.kind() == Alert.Kind.FAILED));
        out.println("(the hint guesses the usual sender of an unexplained SIGKILL; here it was the example)");
        out.println(web.onExit().join().summary());
    }

    /** Waits for the first alert that matches; the ones before it (a TCP check may notice too) are printed as they come. */
    private static Alert next(BlockingQueue<Alert> alerts, PrintStream out, Predicate<Alert> wanted) {
        try {
            for (Alert a = alerts.take(); ; a = alerts.take()) {
                if (wanted.test(a)) {
                    return a;
                }
                out.println("(also) ALERT " + a);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an alert", e);
        }
    }

    private static void signal(TaskHandle task, String signal) {
        try {
            int exit = new ProcessBuilder("kill", "-" + signal, String.valueOf(task.pid().orElseThrow()))
                    .inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill -" + signal + " failed with exit " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + signal, e);
        }
    }

    /** A port nobody listens on now (another program could take it before the server does: fine for an example). */
    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
