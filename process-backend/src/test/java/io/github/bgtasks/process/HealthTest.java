package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.health.Alert;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Hints on real processes (issue 9). The checks, readiness and restarts on real processes are
 * in {@link ProcessSupervisionTest}, the contract suite shared with the tmux backend.
 */
class HealthTest extends RealProcessTest {
    static final Duration PATIENCE = Duration.ofSeconds(60);

    private final List<Alert> alerts = new CopyOnWriteArrayList<>();

    private BackgroundTasks tasks() {
        return newTasks(b -> b.alertListener(alerts::add));
    }

    private List<Alert> alerts(Alert.Kind kind, String check) {
        return alerts.stream().filter(a -> a.kind() == kind && a.check().equals(check)).toList();
    }

    @Test
    void aMissingCommandFailsWithAHintNamingThePath() {
        BackgroundTasks tasks = tasks();
        TaskHandle h = tasks.start(TaskSpec.builder("sh", "-c", "no-such-command-bgtasks").name("missing")
                .environment(java.util.Map.of("PATH", "/usr/bin:/bin")).build());
        String hint = h.onExit().join().hint().orElseThrow();
        assertTrue(hint.startsWith("exit 127: command not found") && hint.contains("(/usr/bin:/bin)"), hint);
        within(PATIENCE).until(() -> !alerts(Alert.Kind.FAILED, "exit").isEmpty());
        assertEquals(hint, alerts.get(0).hint().orElseThrow());
    }
}
