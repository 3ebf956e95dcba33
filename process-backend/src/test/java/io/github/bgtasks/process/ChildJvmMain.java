package io.github.bgtasks.process;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A JVM for {@link JvmExitTest} to kill: starts tasks, prints one line per task
 * ({@code task <id> <pid> <log file>}) and one with the helper's pid ({@code helper <pid>}),
 * then {@code ready}, then either holds (until killed, or
 * until its stdin ends) or calls {@code System.exit(0)} without closing anything, so that only
 * the shutdown hook can clean up.
 *
 * <p>Arguments: {@code <log dir> <hold|exit> <kind>:<marker>...}, where kind is
 * {@code plain} ({@code sleep M}), {@code stubborn} (ignores SIGTERM), {@code tree} (a
 * background child and a foreground one) or {@code leftover} (exits at once, leaving a child
 * that ignores SIGTERM, with a 1 s grace period; the JVM waits for that exit before
 * {@code ready}).
 */
public final class ChildJvmMain {
    private ChildJvmMain() {
    }

    public static void main(String[] args) throws Exception {
        Path logs = Path.of(args[0]);
        BackgroundTasks tasks = BackgroundTasks.builder()
                .backend(ProcessBackend.create())
                .logDirectory(logs)
                .stopGracePeriod(Duration.ofMillis(300))
                .build();
        long helper = -1;
        for (int i = 2; i < args.length; i++) {
            String kind = args[i].substring(0, args[i].indexOf(':'));
            String m = args[i].substring(kind.length() + 1);
            TaskSpec spec = switch (kind) {
                case "plain" -> TaskSpec.builder("sleep", m).build();
                case "stubborn" -> TaskSpec.shell("trap '' TERM; exec sleep " + m).build();
                case "tree" -> TaskSpec.shell("sleep " + m + " & sleep " + m).build();
                case "leftover" -> {
                    // the task exits once the child has set its trap: it opens the FIFO for writing only then
                    Path ready = logs.resolveSibling("ready-" + i);
                    yield TaskSpec.shell("mkfifo " + ready + "; (trap '' TERM; exec 3>" + ready
                            + "; exec sleep " + m + ") & : < " + ready + "; exit 0")
                            .stopGracePeriod(Duration.ofSeconds(1)).build();
                }
                default -> throw new IllegalArgumentException("unknown kind " + kind);
            };
            TaskHandle h = tasks.start(spec);
            if (kind.equals("leftover")) {
                h.onExit().join();
            } else if (helper < 0) {
                helper = Procs.parentOf(h.pid().orElseThrow()); // the task's parent is the helper
                System.out.println("helper " + helper);
            }
            System.out.println("task " + h.id() + " " + h.pid().orElse(-1) + " " + h.logFile());
        }
        System.out.println("ready");
        System.out.flush();
        if (args[1].equals("exit")) {
            System.exit(0);
        }
        while (System.in.read() >= 0) {
            // hold until killed
        }
    }
}
