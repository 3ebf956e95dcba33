package io.github.bgtasks.examples;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.HealthCheck;
import io.github.bgtasks.health.Readiness;
import io.github.bgtasks.health.RestartPolicy;
import java.net.URI;
import java.time.Duration;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The README's dev-server snippets, compiled so that they cannot drift from the API. */
final class DevServer {
    private static final Logger log = LoggerFactory.getLogger(DevServer.class);

    private DevServer() {
    }

    static TaskHandle devServer(BackgroundTasks tasks) {
        TaskHandle web = tasks.start(TaskSpec.builder("python3", "-u", "-m", "http.server", "8000").name("web")
                .readiness(Readiness.logLine(Pattern.compile("Serving HTTP")), Duration.ofSeconds(30))
                .healthCheck(HealthCheck.alive())
                .healthCheck(HealthCheck.http(URI.create("http://127.0.0.1:8000/"))
                        .every(Duration.ofSeconds(5)).timeout(Duration.ofSeconds(2)).failureThreshold(2))
                .healthCheck(HealthCheck.newErrors().every(Duration.ofMinutes(5)))
                .healthCheck(HealthCheck.resources().maxResidentMemory(512L << 20).every(Duration.ofMinutes(1)))
                .build());
        web.addAlertListener(a -> log.warn("{}: {} {}", a.taskId(), a.message(), a.hint().orElse("")));
        web.onReady().join();   // fails at once, with the last lines, if the server exits first
        return web;             // web.health(): HEALTHY / UNHEALTHY / UNKNOWN, with evidence
    }

    /** "Keep the dev server alive and tell me when it breaks". */
    static TaskHandle keepAlive() {
        BackgroundTasks tasks = BackgroundTasks.builder()
                .alertListener(alert -> log.warn("{}", alert))   // what broke, the evidence, the log lines, a hint
                .build();
        TaskHandle web = tasks.start(TaskSpec.builder("python3", "-u", "-m", "http.server", "8000").name("web")
                .readiness(Readiness.logLine(Pattern.compile("Serving HTTP")), Duration.ofSeconds(30))
                .healthCheck(HealthCheck.http(URI.create("http://127.0.0.1:8000/")).every(Duration.ofSeconds(5))
                        .failureThreshold(2).onUnhealthy(HealthCheck.Action.RESTART))     // hangs: restart it
                .healthCheck(HealthCheck.newErrors().every(Duration.ofMinutes(1)))        // new ERROR lines: tell me
                .restart(RestartPolicy.always().maxRestarts(5).within(Duration.ofMinutes(10))) // exits: start it again
                .build());
        web.onReady().join();   // fails at once, with the last lines, if the server exits first
        return web;             // tasks.list(): "Task{web.2 RUNNING HEALTHY [python3, -u, ...]}"
    }
}
