package io.github.bgtasks.benchmarks;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import io.github.bgtasks.process.ProcessBackend;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One way of running a task and being told of its end, as a user's harness does it: a raw
 * baseline or bgtasks. Each task gets its own name and its own log file; the end is stamped
 * in the callback that a user would register.
 */
interface Contender extends AutoCloseable {

    /**
     * Starts a task and returns once it has started, as the contender's {@code start()} does.
     *
     * @param name unique among this contender's tasks
     * @param argv the command
     */
    Started start(String name, List<String> argv) throws Exception;

    @Override
    void close() throws Exception;

    /**
     * A started task.
     *
     * @param ended completed by the end callback
     * @param log the task's log file
     * @param kill kills the task; the future completes once the kill is done
     */
    record Started(CompletableFuture<Ended> ended, Path log, Killer kill) {
    }

    /** Kills one task. */
    @FunctionalInterface
    interface Killer {
        CompletableFuture<?> kill() throws Exception;
    }

    /**
     * What the end callback saw, stamped first thing in the callback.
     *
     * @param nanos {@code System.nanoTime()}
     * @param epochNanos wall clock, to compare with a timestamp the task printed
     * @param succeeded whether the task exited with 0
     * @param logBytes the log's size when the callback ran (is the log complete by then?)
     */
    record Ended(long nanos, long epochNanos, boolean succeeded, long logBytes) {
        static Ended now(boolean succeeded, Path log) {
            long nanos = System.nanoTime();
            Instant now = Instant.now(); // microsecond resolution on Linux with JDK 17
            long size;
            try {
                size = Files.size(log);
            } catch (IOException e) {
                size = -1;
            }
            return new Ended(nanos, now.getEpochSecond() * 1_000_000_000L + now.getNano(), succeeded, size);
        }
    }

    /**
     * @param kind {@code pb}, {@code perl}, {@code jdk}, {@code tmux-raw}, {@code tmux} or {@code tmux-direct}
     * @param work a directory of this contender's own
     */
    static Contender of(String kind, Path work) throws IOException {
        return switch (kind) {
            case "pb" -> new Raw(Files.createDirectories(work.resolve("logs")));
            case "perl" -> new Bgtasks(Subjects.build(ProcessBackend.perl(), work.resolve("logs")), null);
            case "jdk" -> new Bgtasks(Subjects.build(ProcessBackend.jdk(), work.resolve("logs")), null);
            case "tmux" -> {
                TmuxServer server = new TmuxServer();
                yield new Bgtasks(Subjects.tmux(server, work.resolve("logs")), server);
            }
            case "tmux-direct" -> {
                TmuxServer server = new TmuxServer();
                yield new Bgtasks(Subjects.build(server.directBackend(work.resolve("logs-tmux-state")),
                        work.resolve("logs")), server);
            }
            case "tmux-raw" -> new RawTmux(work);
            default -> throw new IllegalArgumentException("unknown contender " + kind
                    + "; use pb, perl, jdk, tmux-raw, tmux or tmux-direct");
        };
    }

    /** {@code ProcessBuilder.start()}, output and errors to a file, end seen by {@code onExit()}. */
    final class Raw implements Contender {
        private final Path logs;

        Raw(Path logs) {
            this.logs = logs;
        }

        @Override
        public Started start(String name, List<String> argv) throws IOException {
            Path log = logs.resolve(name + ".log");
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            CompletableFuture<Ended> ended = p.onExit().thenApply(x -> Ended.now(x.exitValue() == 0, log));
            return new Started(ended, log, () -> {
                p.destroyForcibly();
                return p.onExit();
            });
        }

        @Override
        public void close() {
        }
    }

    /** bgtasks with either backend: {@code start(spec)}, end seen by a {@code CompletionListener}. */
    final class Bgtasks implements Contender {
        private final BackgroundTasks tasks;
        private final TmuxServer server;

        Bgtasks(BackgroundTasks tasks, TmuxServer server) {
            this.tasks = tasks;
            this.server = server;
        }

        @Override
        public Started start(String name, List<String> argv) {
            TaskHandle h = tasks.start(TaskSpec.builder(argv).name(name).build());
            CompletableFuture<Ended> ended = new CompletableFuture<>();
            h.addListener(r -> ended.complete(Ended.now(r.state() == TaskState.SUCCEEDED, h.logFile())));
            return new Started(ended, h.logFile(), h::kill);
        }

        @Override
        public void close() throws IOException {
            tasks.close();
            if (server != null) {
                server.close();
            }
        }
    }

    /**
     * A plain {@code tmux -L <private> new-session -d} per task: the session's command redirects
     * the output to the log and, last, moves an exit file into a watched directory, which
     * inotify (Java's {@code WatchService}) reports. {@code start()} returns when the tmux
     * client has exited, that is when the session exists.
     */
    final class RawTmux implements Contender {
        private final TmuxServer server = new TmuxServer();
        private final Path logs;
        private final Path exits;
        private final Path exitsTmp;
        private final WatchService watcher;
        private final Map<String, Pending> pending = new ConcurrentHashMap<>();
        private final Thread watching;

        private record Pending(Path log, CompletableFuture<Ended> ended) {
        }

        RawTmux(Path work) throws IOException {
            logs = Files.createDirectories(work.resolve("logs"));
            exits = Files.createDirectories(work.resolve("exits"));
            exitsTmp = Files.createDirectories(work.resolve("exits-tmp"));
            watcher = FileSystems.getDefault().newWatchService();
            // A rename into the directory is IN_MOVED_TO, which the JDK reports as ENTRY_CREATE.
            exits.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            watching = new Thread(this::watch, "exit-file-watcher");
            watching.setDaemon(true);
            watching.start();
        }

        @Override
        public Started start(String name, List<String> argv) throws Exception {
            Path log = logs.resolve(name + ".log");
            Path tmp = exitsTmp.resolve(name);
            CompletableFuture<Ended> ended = new CompletableFuture<>();
            pending.put(name, new Pending(log, ended)); // before the start: the task may end at once
            String command = Shell.join(argv) + " > " + Shell.quote(log) + " 2>&1; echo $? > " + Shell.quote(tmp)
                    + "; mv " + Shell.quote(tmp) + " " + Shell.quote(exits.resolve(name));
            tmux("new-session", "-d", "-s", name, command);
            return new Started(ended, log, () -> CompletableFuture.runAsync(() -> {
                try {
                    tmux("kill-session", "-t", "=" + name);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }

        /**
         * Runs a tmux client with the default options ({@code -f /dev/null}: no user settings).
         * With the default {@code exit-empty on}, a server whose last session just ended exits
         * while the next client may be talking to it: then the call is repeated, as bgtasks does.
         */
        private void tmux(String... args) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of("tmux", "-f", "/dev/null", "-L", server.socket()));
            cmd.addAll(List.of(args));
            for (int attempt = 1; ; attempt++) {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                if (p.waitFor() == 0) {
                    return;
                }
                if (!out.contains("server exited unexpectedly") || attempt == 5) {
                    throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": "
                            + out);
                }
            }
        }

        private void watch() {
            try {
                while (true) {
                    WatchKey key = watcher.take();
                    for (WatchEvent<?> e : key.pollEvents()) {
                        if (e.context() instanceof Path file) {
                            Pending p = pending.remove(file.toString());
                            if (p != null) {
                                p.ended().complete(Ended.now(exitedZero(exits.resolve(file)), p.log()));
                            }
                        }
                    }
                    key.reset();
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                // closed
            }
        }

        private static boolean exitedZero(Path exitFile) {
            try {
                return Files.readString(exitFile).strip().equals("0");
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void close() throws IOException {
            watcher.close();
            server.close();
        }
    }
}
