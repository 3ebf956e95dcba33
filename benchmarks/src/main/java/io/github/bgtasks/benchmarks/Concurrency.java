package io.github.bgtasks.benchmarks;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Threads at load: many {@code sleep 30.777…} tasks running at once, the JVM's live thread
 * count before and at load (ThreadMXBean), then every task killed and the process table
 * checked for survivors. Each contender runs in its own JVM ({@link ThreadProbe}).
 */
final class Concurrency {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Concurrency() {
    }

    static Section run(Scale scale, Path work, TmuxServer tmux) throws Exception {
        Map<String, String> contenders = new LinkedHashMap<>();
        contenders.put("pb", "ProcessBuilder + onExit(), output DISCARD");
        contenders.put("zt-exec", "zt-exec 1.12 `start()`");
        contenders.put("commons-exec", "commons-exec 1.5.0 async `execute` + result handler");
        contenders.put("process", "bgtasks, process backend");
        boolean withTmux = TmuxServer.unavailable().isEmpty();
        if (withTmux) {
            contenders.put("tmux", "bgtasks, tmux backend");
        }

        Table table = new Table("contender", "tasks at once", "time to start them", "threads before → at load",
                "growth", "per task", "threads that grew", "time to kill them all", "left after kill / after JVM exit");
        List<Section.Target> targets = new ArrayList<>();
        for (Map.Entry<String, String> c : contenders.entrySet()) {
            int count = c.getKey().equals("tmux") ? scale.tmuxConcurrent() : scale.concurrent();
            // A marker of our own, so that only this run's processes are counted as survivors.
            String marker = String.format("30.777%03d", RANDOM.nextInt(1000));
            Map<String, String> r = Fork.run(ThreadProbe.class, c.getKey(), Integer.toString(count), marker,
                    tmux.socket(), work.resolve("threads-" + c.getKey()).toString());
            int afterExit = Processes.killLeftoverSleeps(marker, Duration.ofSeconds(2));
            int running = Integer.parseInt(r.get("running"));
            int growth = Integer.parseInt(r.get("atLoad")) - Integer.parseInt(r.get("before"));
            table.row(c.getValue(), count + (running == count ? "" : " (only " + running + " seen running)"),
                    r.get("startMillis") + " ms", r.get("before") + " → " + r.get("atLoad"), growth,
                    String.format("%.2f", (double) growth / count), r.get("kinds"), r.get("killMillis") + " ms",
                    r.get("survivors") + " / " + afterExit);
            if (c.getKey().equals("process")) {
                targets.add(new Section.Target("thread growth ≤ 16 at " + count + " tasks (process backend)",
                        growth + " threads", growth <= 16));
            }
            if (c.getKey().equals("process") || c.getKey().equals("tmux")) {
                boolean clean = running == count && r.get("survivors").equals("0") && afterExit == 0;
                targets.add(new Section.Target("all " + count + " tasks ran and none survived kill() ("
                        + c.getKey() + " backend)", running + " ran, " + r.get("survivors") + " survived", clean));
            }
        }
        String md = "## Threads: tasks running at once (`sleep 30.777…`)\n\n"
                + "Each contender in a fresh JVM; growth = live threads (ThreadMXBean) at load minus before the "
                + "contender was created, once the count was stable for 1 s. Then every task is killed (SIGKILL "
                + "by pid, or the library's kill; timed until every exit was reported) and `sleep` processes "
                + "with the marker argument are counted, in the probe JVM and again after it exited.\n\n" + table
                + (withTmux ? "" : "\ntmux rows not measured: " + TmuxServer.unavailable().orElse("") + "\n");
        return new Section(md, targets);
    }
}
