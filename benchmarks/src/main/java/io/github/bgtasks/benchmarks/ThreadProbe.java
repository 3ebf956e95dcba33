package io.github.bgtasks.benchmarks;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecuteResultHandler;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.zeroturnaround.exec.ProcessExecutor;
import org.zeroturnaround.exec.StartedProcess;

/**
 * Holds many {@code sleep} tasks running at once with one contender and prints, as {@code
 * key=value} lines, how much the JVM's live thread count grew. Then it ends every task and
 * reports what survived.
 *
 * <p>It runs in a JVM of its own, forked by {@link Concurrency}, one per contender: the JDK
 * keeps idle "process reaper" threads for 60 s, and in a shared JVM they would serve the next
 * contender's processes and hide its cost.
 *
 * <p>Arguments: contender ({@code pb}, {@code zt-exec}, {@code commons-exec}, {@code process}
 * or {@code tmux}), task count, the {@code sleep} argument that marks this run's processes,
 * the tmux socket name, and a log directory.
 */
public final class ThreadProbe {
    private static final Duration SETTLE_MAX = Duration.ofSeconds(15);
    private static final Duration STABLE_FOR = Duration.ofSeconds(1);

    private ThreadProbe() {
    }

    /**
     * Runs the probe; see the class description for the arguments.
     *
     * @param args contender, count, marker, tmux socket, log directory
     * @throws Exception if the contender could not start or end its tasks
     */
    public static void main(String[] args) throws Exception {
        String contender = args[0];
        int count = Integer.parseInt(args[1]);
        String marker = args[2];
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Integer> kindsBefore = threadKinds();
        int before = mx.getThreadCount();

        // Created after the baseline, so the contender's own threads (a backend's reader, a
        // pool) count as growth too.
        Fleet fleet = fleet(contender, new TmuxServer(args[3]), Path.of(args[4]));
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            fleet.start(List.of("sleep", marker));
        }
        long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        int atLoad = settle(mx);
        int running = Processes.sleepsWith(marker).size();
        String kinds = growth(kindsBefore, threadKinds());

        long k0 = System.nanoTime();
        fleet.killAll();
        long killMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - k0);
        int survivors = Processes.killLeftoverSleeps(marker, Duration.ofSeconds(5));
        fleet.close();

        System.out.println("count=" + count);
        System.out.println("running=" + running);
        System.out.println("startMillis=" + startMillis);
        System.out.println("before=" + before);
        System.out.println("atLoad=" + atLoad);
        System.out.println("kinds=" + kinds);
        System.out.println("killMillis=" + killMillis);
        System.out.println("survivors=" + survivors);
    }

    /** Waits until the thread count has stopped changing (pumps and reapers start late). */
    private static int settle(ThreadMXBean mx) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_MAX.toNanos();
        int last = mx.getThreadCount();
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline && System.nanoTime() - stableSince < STABLE_FOR.toNanos()) {
            Thread.sleep(100);
            int now = mx.getThreadCount();
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            }
        }
        return last;
    }

    /** Counts live threads by name, digits folded, so "Thread-17" and "Thread-18" are one kind. */
    private static Map<String, Integer> threadKinds() {
        Map<String, Integer> kinds = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            kinds.merge(t.getName().replaceAll("\\d+", "N"), 1, Integer::sum);
        }
        return kinds;
    }

    /** @return the kinds of thread that grew, largest first, such as "process reaper +1000" */
    private static String growth(Map<String, Integer> before, Map<String, Integer> after) {
        return after.entrySet().stream()
                .filter(e -> e.getValue() > before.getOrDefault(e.getKey(), 0))
                .sorted((a, b) -> (b.getValue() - before.getOrDefault(b.getKey(), 0))
                        - (a.getValue() - before.getOrDefault(a.getKey(), 0)))
                .limit(5)
                .map(e -> "`" + e.getKey() + "` +" + (e.getValue() - before.getOrDefault(e.getKey(), 0)))
                .collect(Collectors.joining(", "));
    }

    private static Fleet fleet(String contender, TmuxServer tmux, Path logs) {
        return switch (contender) {
            case "pb" -> new JdkFleet();
            case "zt-exec" -> new ZtExecFleet();
            case "commons-exec" -> new CommonsExecFleet();
            case "process" -> new BgtasksFleet(Subjects.process(logs));
            case "tmux" -> new BgtasksFleet(Subjects.tmux(tmux, logs));
            default -> throw new IllegalArgumentException("unknown contender " + contender);
        };
    }

    /** Many running tasks of one contender. */
    private interface Fleet {
        void start(List<String> argv) throws Exception;

        /** Ends every task at once (SIGKILL or the library's equivalent) and waits for the ends. */
        void killAll() throws Exception;

        default void close() {
        }
    }

    /** Raw {@code ProcessBuilder}, output discarded, with an {@code onExit()} stage per process. */
    private static final class JdkFleet implements Fleet {
        private final List<Process> processes = new ArrayList<>();

        @Override
        public void start(List<String> argv) throws Exception {
            Process p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.onExit().thenRun(() -> { }); // what a caller does to be told of the exit
            processes.add(p);
        }

        @Override
        public void killAll() {
            processes.forEach(Process::destroyForcibly);
            processes.forEach(p -> p.onExit().join());
        }
    }

    /** zt-exec's asynchronous {@code start()}, default settings (stderr merged, output pumped). */
    private static final class ZtExecFleet implements Fleet {
        private final List<StartedProcess> processes = new ArrayList<>();

        @Override
        public void start(List<String> argv) throws Exception {
            processes.add(new ProcessExecutor(argv).start());
        }

        @Override
        public void killAll() throws Exception {
            processes.forEach(p -> p.getProcess().destroyForcibly());
            for (StartedProcess p : processes) {
                p.getFuture().get();
            }
        }
    }

    /**
     * commons-exec's asynchronous {@code execute} with a result handler. A watchdog with an
     * infinite timeout is the library's handle for killing the process; it adds no thread.
     */
    private static final class CommonsExecFleet implements Fleet {
        private final List<ExecuteWatchdog> watchdogs = new ArrayList<>();
        private final List<DefaultExecuteResultHandler> handlers = new ArrayList<>();

        @Override
        public void start(List<String> argv) throws Exception {
            CommandLine cmd = new CommandLine(argv.get(0));
            argv.subList(1, argv.size()).forEach(cmd::addArgument);
            // One executor per process: a DefaultExecutor runs one process at a time.
            DefaultExecutor executor = DefaultExecutor.builder().get();
            ExecuteWatchdog watchdog = ExecuteWatchdog.builder()
                    .setTimeout(ExecuteWatchdog.INFINITE_TIMEOUT_DURATION).get();
            executor.setWatchdog(watchdog);
            DefaultExecuteResultHandler handler = new DefaultExecuteResultHandler();
            executor.execute(cmd, handler);
            watchdogs.add(watchdog);
            handlers.add(handler);
        }

        @Override
        public void killAll() throws Exception {
            watchdogs.forEach(ExecuteWatchdog::destroyProcess);
            for (DefaultExecuteResultHandler h : handlers) {
                h.waitFor();
            }
        }
    }

    /** bgtasks, either backend: {@code kill()} on every handle, then wait for every result. */
    private static final class BgtasksFleet implements Fleet {
        private final BackgroundTasks tasks;
        private final List<TaskHandle> handles = new ArrayList<>();

        BgtasksFleet(BackgroundTasks tasks) {
            this.tasks = tasks;
        }

        @Override
        public void start(List<String> argv) {
            TaskHandle h = tasks.start(TaskSpec.builder(argv).build());
            h.addListener(result -> { }); // what a caller does to be told of the exit
            handles.add(h);
        }

        @Override
        public void killAll() {
            handles.forEach(TaskHandle::kill);
            handles.forEach(Subjects::await);
        }

        @Override
        public void close() {
            tasks.close();
        }
    }
}
