package io.github.bgtasks.examples;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.Pipeline;
import io.github.bgtasks.PipelineHandle;
import io.github.bgtasks.PipelineResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.Alert;
import io.github.bgtasks.process.ProcessBackend;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * "Run the deployment pipeline; stop and alert if a step fails." Seven stand-in steps; the
 * integration tests fail, so build, deploy and smoke tests never run.
 */
public final class DeployPipeline {
    private DeployPipeline() {
    }

    /**
     * Runs the example.
     *
     * @param args {@code --fast} for the quick variant the tests run
     */
    public static void main(String[] args) {
        try (BackgroundTasks tasks = BackgroundTasks.builder()
                .backend(ProcessBackend.create())
                .logDirectory(Path.of("target", "example-logs").toAbsolutePath())
                .build()) {
            run(tasks, System.out, args.length > 0 && args[0].equals("--fast"));
        }
    }

    /** The example proper; {@code fast} shortens the stand-ins' work to nothing. */
    static PipelineResult run(BackgroundTasks tasks, PrintStream out, boolean fast) {
        String work = fast ? "0" : "0.5";
        Pipeline deploy = Pipeline.named("deploy")
                .step(step("install", work, "echo 'added 312 packages'"))
                .step(step("lint", work, "echo 'warning: 2 style issues'; exit 1")).continueOnFailure()
                .step(step("unit", work, "echo '120 tests passed'"))
                .step(step("integration", work, "echo 'checkout flow'; "
                        + "echo 'ERROR: POST /orders returned 500 (expected 201)'; exit 1"))
                .step(step("build", work, "echo 'bundle.js 412 kB'"))
                .step(step("deploy-staging", work, "echo 'deployed to staging'"))
                .step(step("smoke", work, "echo 'smoke tests passed'"));

        CompletableFuture<Alert> alert = new CompletableFuture<>();
        PipelineHandle run = tasks.run(deploy)
                .addStepListener(s -> out.println("step " + s.summary()))
                .addAlertListener(alert::complete);
        PipelineResult result = run.onExit().join();
        out.println(result.summary());
        if (result.failedStep().isPresent()) {
            Alert a = alert.join();
            out.println("ALERT " + a.message());
            a.logLines().forEach(line -> out.println("  | " + line));
            a.hint().ifPresent(h -> out.println("  hint: " + h));
        }
        return result;
    }

    private static TaskSpec step(String name, String seconds, String then) {
        return TaskSpec.shell("sleep " + seconds + "; " + then).name(name).build();
    }
}
