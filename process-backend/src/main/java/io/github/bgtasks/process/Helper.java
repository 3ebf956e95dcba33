package io.github.bgtasks.process;

import io.github.bgtasks.internal.posix.DaemonThreads;
import io.github.bgtasks.internal.posix.ProcStat;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code spawner.pl} process and the tasks it started. Requests are written under a lock
 * by the calling thread; one reader thread turns the helper's replies into started pids, input
 * acknowledgements and exit statuses. The reader never runs other code: exit futures are
 * completed on the backend's completer, so that a listener that starts a task (and waits for
 * this reader's answer) cannot block it. If the helper dies, the reader ends what is left of
 * its tasks through their sessions and reports them LOST.
 */
final class Helper {
    private static final Logger LOG = LoggerFactory.getLogger(Helper.class);
    /** Reads the script from stdin up to a sentinel line, then runs it on the rest of stdin. */
    private static final String LOADER = "$0 = \"bgtasks-spawner (java pid $ARGV[0])\"; "
            + "my $src = do { local $/ = \"\\n#END-OF-SPAWNER\\n\"; <STDIN> }; eval $src; die $@ if $@;";
    private static final int INPUT_CHUNK = 32 * 1024;
    private static final long CLEANUP_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Path perl;
    private final Spawner.Settings settings;
    private final Executor completer;
    private final Process process;
    private final OutputStream requests;
    private final Stderr stderr;
    private final Map<String, SpawnedTask> tasks = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Long>> starting = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    /** Completes when the reader has finished, including the cleanup after a crash. */
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    /** The longest grace period of any task: how long the helper may still need after Q. */
    private final AtomicLong longestGraceMillis = new AtomicLong();
    private final BufferedReader replies;
    private Thread reader; // started by start(), before anyone else sees this helper
    private volatile boolean closing;
    /** The helper can take no more requests (its stdin broke or it died): start another one. */
    private volatile boolean broken;
    /** The helper said it received SIGTERM: it is ending every task, so their exits are losses. */
    private volatile boolean terminated;

    private Helper(Path perl, Spawner.Settings settings, Executor completer) throws IOException {
        this.perl = perl;
        this.settings = settings;
        this.completer = completer;
        try {
            process = new ProcessBuilder(perl.toString(), "-e", LOADER, Long.toString(ProcessHandle.current().pid()))
                    .start();
        } catch (IOException e) {
            throw new IOException("could not run perl (" + perl + ") for the bgtasks process helper: " + e.getMessage(), e);
        }
        requests = process.getOutputStream();
        stderr = new Stderr(process.getErrorStream(), process.pid());
        replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
    }

    /**
     * Starts a helper and waits for its ready line, within {@code settings.readyLimit()}.
     *
     * @throws IOException naming perl, its exit status and what it printed, if it did not start
     */
    static Helper start(Path perl, Spawner.Settings settings, Executor completer) throws IOException {
        Helper h = new Helper(perl, settings, completer);
        h.reader = DaemonThreads.start("bgtasks-process-events", h::run); // writes the script, then reads the ready line: both end if perl is killed
        try {
            h.ready.get(settings.readyLimit().toNanos(), TimeUnit.NANOSECONDS);
            LOG.debug("process backend helper started, pid {}", h.process.pid());
            return h;
        } catch (TimeoutException e) {
            h.kill();
            throw new IOException("perl (" + perl + ") did not answer within " + Spawner.human(settings.readyLimit())
                    + " while starting the bgtasks process helper, so it looks wedged; it was killed" + h.exitAndStderr(), e);
        } catch (ExecutionException e) {
            h.kill();
            throw new IOException("perl (" + perl + ") could not start the bgtasks process helper: "
                    + e.getCause().getMessage() + h.exitAndStderr(), e.getCause());
        } catch (InterruptedException e) {
            h.kill();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the bgtasks process helper", e);
        }
    }

    /** SIGKILL through the handle: {@link Process#destroyForcibly()} would close its stderr unread. */
    private void kill() {
        process.toHandle().destroyForcibly();
    }

    /** @return "; it exited with ...; it printed on stderr: ..." for a helper that failed to start */
    private String exitAndStderr() {
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                kill();
            }
            reader.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String exit = process.isAlive() ? "; it is still running" : "; it " + describeExit(process.exitValue());
        String said = stderr.drainAndGet();
        return exit + (said.isEmpty() ? "; it printed nothing on stderr" : "; it printed on stderr: " + said);
    }

    /** The JDK reports death by signal n as 128 + n, which an exit code can also be. */
    private static String describeExit(int status) {
        return status > 128 && status < 160
                ? "ended with status " + status + " (killed by signal " + (status - 128) + ", or exit code " + status + ")"
                : "exited with code " + status;
    }

    long pid() {
        return process.pid();
    }

    /** @return the helper's start time in clock ticks after boot, which tells it apart from a later user of its pid */
    long startTicks() {
        return ProcStat.read(process.pid()).map(ProcStat::startTime).orElse(0L);
    }

    /** @return whether the helper died (rather than being closed) */
    boolean crashed() {
        return broken && !closing;
    }

    /** @return whether this helper can take no more tasks */
    boolean broken() {
        return broken || closing;
    }

    /** @return how many tasks this helper still tracks (for tests) */
    int tracked() {
        return tasks.size();
    }

    private void run() {
        try {
            try (InputStream script = Spawner.class.getResourceAsStream("spawner.pl")) {
                if (script == null) {
                    throw new IOException("spawner.pl is missing from the bgtasks-process jar");
                }
                synchronized (requests) {
                    requests.write(script.readAllBytes());
                    requests.write("\n#END-OF-SPAWNER\n".getBytes(StandardCharsets.US_ASCII));
                    requests.flush();
                }
            }
            String first = replies.readLine();
            if (first == null || !first.startsWith("ready ")) {
                throw new IOException(first == null ? "it closed its output before the helper was ready"
                        : "it answered \"" + first + "\" instead of the helper's ready line");
            }
        } catch (IOException | RuntimeException e) {
            broken = true;
            ready.completeExceptionally(e);
            finished.complete(null);
            return;
        }
        ready.complete(null);
        try {
            for (String line = replies.readLine(); line != null; line = replies.readLine()) {
                handle(line.split(" ", -1));
                stderr.drain(); // no thread of its own: what the helper printed is logged as replies come
            }
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                LOG.debug("lost contact with the process backend helper", e);
            }
        }
        boolean quit = closing; // read once: a close() after the helper died does not make it a quit
        broken = true;
        try {
            if (quit) {
                String why = "the process backend was closed while the task ran; it was left running, unobserved";
                starting.values().forEach(f -> f.completeExceptionally(new IOException(why)));
                tasks.values().forEach(t -> exited(t, ExitStatus.lost(why)));
            } else {
                died();
            }
        } finally {
            finished.complete(null);
        }
    }

    private void handle(String[] f) {
        switch (f[0]) {
            case "s" -> {
                SpawnedTask t = tasks.get(f[1]);
                long pid = Long.parseLong(f[2]);
                if (t != null) {
                    t.started(pid);
                }
                CompletableFuture<Long> s = starting.remove(f[1]);
                if (s != null && !s.complete(pid)) {
                    // its start() gave up before this answer: nothing of it may run
                    LOG.warn("task {} started after its start() gave up; it is killed", t == null ? f[1] : t.launch().id());
                    String key = f[1];
                    run(() -> {
                        try {
                            send("K " + key + " KILL");
                        } catch (IOException e) {
                            LOG.debug("could not kill the abandoned task {}", key, e);
                        }
                    });
                }
                if (t != null) {
                    // After the answer (reading /proc takes tens of µs, which start() need not
                    // wait for); only this thread reads it, when the helper has died.
                    t.leader(ProcessHandle.of(pid)); // its start time, against pid reuse
                }
            }
            case "f" -> {
                tasks.remove(f[1]);
                CompletableFuture<Long> s = starting.remove(f[1]);
                if (s != null) {
                    s.completeExceptionally(new IOException(unhex(f.length > 2 ? f[2] : "")));
                }
            }
            case "x" -> {
                SpawnedTask t = tasks.get(f[1]);
                if (t != null) {
                    int n = Integer.parseInt(f[3]);
                    ExitStatus own = "k".equals(f[2]) ? ExitStatus.signaled(n) : ExitStatus.exited(n);
                    exited(t, terminated ? ExitStatus.lost("the process backend's helper process died (it received"
                            + " SIGTERM from outside); the task's processes were stopped, its own process " + ended(own))
                            : own);
                    if (t.abandoned()) {
                        forget(f[1], true); // nobody holds it, so nobody else will
                    }
                }
            }
            case "i" -> {
                SpawnedTask t = tasks.get(f[1]);
                if (t != null) {
                    t.acknowledged(Long.parseLong(f[2]));
                }
            }
            case "w" -> LOG.warn("process backend helper: {}", unhex(f.length > 1 ? f[1] : ""));
            case "T" -> {
                terminated = true;
                broken = true; // new tasks go to a new helper
                LOG.error("the bgtasks process helper (pid {}, {}) received SIGTERM from outside; it ends its {} running"
                        + " task(s) (SIGTERM, grace period, SIGKILL), which are reported LOST; new tasks get a new helper",
                        process.pid(), perl, tasks.values().stream().filter(t -> !t.ended()).count());
            }
            default -> LOG.warn("unexpected message from the process backend helper: {}", String.join(" ", f));
        }
    }

    private static String ended(ExitStatus s) {
        return s.signal().isPresent() ? "ended by signal " + s.signal().getAsInt()
                + (s.signal().getAsInt() == 9 ? " (SIGKILL after its grace period)" : "")
                : "exited with code " + s.exitCode().orElse(-1);
    }

    /** Records the end at once (input waiters return), and completes the future off the reader. */
    private void exited(SpawnedTask t, ExitStatus status) {
        if (t.ended()) {
            return;
        }
        t.markEnded(status);
        for (Consumer<ExitStatus> action : t.takeEndActions(status)) {
            try {
                action.accept(status); // the core's: a hand-over to its own thread
            } catch (RuntimeException e) {
                LOG.warn("task {}: reporting its end failed", t.launch().id(), e);
            }
        }
        CompletableFuture<ExitStatus> exit = t.exitToComplete();
        if (exit != null) {
            run(() -> exit.complete(status)); // what depends on the future never runs on the reader
        }
    }

    private void run(Runnable r) {
        try {
            completer.execute(r);
        } catch (RejectedExecutionException e) {
            r.run();
        }
    }

    /**
     * Starts a task; with a record, detached: the helper records its start and end there,
     * enforces its timeout itself, and keeps it running when this JVM ends.
     */
    SpawnedTask launch(Launch launch, String key, TaskRecord record) throws IOException {
        longestGraceMillis.accumulateAndGet(launch.stopGracePeriod().toMillis(), Math::max);
        SpawnedTask task = new SpawnedTask(this, key, launch, settings, record);
        CompletableFuture<Long> started = new CompletableFuture<>();
        starting.put(key, started);
        tasks.put(key, task); // before the request, so that even an instant exit finds it
        StringBuilder req = new StringBuilder(256).append("S ").append(key).append(' ')
                .append(launch.stopGracePeriod().toMillis()).append(' ')
                .append(hex(launch.workingDirectory().toString())).append(' ')
                .append(hex(launch.logFile().toString())).append(' ')
                .append(record == null ? "h" : hex(record.dir().toString())).append(' ')
                .append(record == null ? 0 : launch.timeout().map(Duration::toMillis).orElse(0L));
        appendEnvironmentChanges(req, launch.environment());
        req.append(' ').append(launch.argv().size());
        launch.argv().forEach(a -> req.append(' ').append(hex(a)));
        try {
            send(req.toString());
        } catch (IOException e) {
            starting.remove(key);
            tasks.remove(key);
            throw e;
        }
        Duration limit = settings.startLimit();
        try {
            started.get(limit.toNanos(), TimeUnit.NANOSECONDS);
            return task;
        } catch (ExecutionException e) {
            tasks.remove(key);
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            abandon(task, started, new IOException("the process helper did not answer within " + Spawner.human(limit)
                    + " (is the machine overloaded?); if the task starts later, it is killed at once", e));
            return task; // it answered in the meantime
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(task, started, new IOException("interrupted while starting; if the task starts later, it is killed at once", e));
            return task;
        }
    }

    /**
     * Gives up on a start, unless its answer won the race: a start that throws leaves nothing
     * running, because the reader kills a task whose answer comes after this.
     */
    private void abandon(SpawnedTask task, CompletableFuture<Long> started, IOException why) throws IOException {
        task.abandon(true); // before the race is decided, so that the reader sees it with the answer
        if (started.completeExceptionally(why)) {
            throw why;
        }
        task.abandon(false);
        try {
            started.join();
        } catch (RuntimeException e) {
            tasks.remove(task.key());
            throw new IOException(e.getCause() == null ? e.toString() : e.getCause().getMessage(), e);
        }
    }

    /**
     * The helper started with the JVM's environment, which cannot change, so only the task's
     * differences from it travel: usually one or two variables instead of the whole set.
     */
    private static void appendEnvironmentChanges(StringBuilder req, Map<String, String> env) {
        if (JvmEnvironment.isIt(env)) {
            req.append(" 0 0");
            return;
        }
        Map<String, String> inherited = System.getenv();
        StringBuilder set = new StringBuilder();
        int sets = 0;
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!e.getValue().equals(inherited.get(e.getKey()))) {
                set.append(' ').append(hex(e.getKey() + "=" + e.getValue()));
                sets++;
            }
        }
        StringBuilder unset = new StringBuilder();
        int unsets = 0;
        for (String name : inherited.keySet()) {
            if (!env.containsKey(name)) {
                unset.append(' ').append(hex(name));
                unsets++;
            }
        }
        req.append(' ').append(sets).append(set).append(' ').append(unsets).append(unset);
    }

    /** Signals a task's tree through the helper; once the helper died, through the task's session. */
    void signal(SpawnedTask t, String signal) throws IOException {
        if (t.ended()) {
            return;
        }
        if (broken && !closing) {
            if ("KILL".equals(signal)) {
                t.killRequested(); // the cleanup that ends orphaned tasks sends it at once
            }
            return; // SIGTERM went to the task when the helper died
        }
        send("K " + t.key() + " " + signal);
    }

    void input(SpawnedTask t, byte[] bytes) throws IOException {
        for (int i = 0; i < bytes.length; i += INPUT_CHUNK) {
            int end = Math.min(bytes.length, i + INPUT_CHUNK);
            t.reserveInput(end - i);
            try {
                send("I " + t.key() + " " + hex(bytes, i, end));
            } catch (IOException e) {
                t.acknowledged(end - i);
                throw e;
            }
        }
    }

    void closeInput(SpawnedTask t) throws IOException {
        if (broken && !closing) {
            return; // the helper died: the task's stdin closed with it
        }
        send("C " + t.key());
    }

    /** Forgets a task for the core (never on the reader thread), telling the helper at once. */
    void forget(String key) {
        forget(key, false);
    }

    /**
     * Forgets a task. The reader must not write (the helper may be blocked writing to it), so it
     * sends through the completer; any other thread writes itself, which spares a thread wake-up
     * per task end once the core's list of finished tasks is full.
     */
    private void forget(String key, boolean onReader) {
        tasks.remove(key);
        if (broken) {
            return;
        }
        Runnable tell = () -> {
            try {
                send("F " + key);
            } catch (IOException e) {
                LOG.debug("could not tell the helper to forget {}", key, e);
            }
        };
        if (onReader) {
            run(tell);
        } else {
            tell.run();
        }
    }

    private void send(String request) throws IOException {
        byte[] line = (request + "\n").getBytes(StandardCharsets.US_ASCII);
        synchronized (requests) {
            if (closing) {
                throw new IOException("the process backend is closed");
            }
            if (broken) {
                throw new HelperGone("the process backend's helper process (pid " + process.pid() + ") has died");
            }
            try {
                requests.write(line);
                requests.flush();
            } catch (IOException e) {
                broken = true;
                throw new HelperGone("the process backend's helper process (pid " + process.pid()
                        + ") stopped taking requests: " + e.getMessage());
            }
        }
    }

    /** The helper could not take a request: it died, and a new one may take it instead. */
    static final class HelperGone extends IOException {
        private static final long serialVersionUID = 1L;

        HelperGone(String message) {
            super(message);
        }
    }

    /**
     * The helper died: its tasks run on, re-parented to init. Ends each one through its
     * session (SIGTERM, its grace period, SIGKILL), reports it LOST, and logs the loss once.
     */
    private void died() {
        String status;
        try {
            status = process.waitFor(2, TimeUnit.SECONDS) ? describeExit(process.exitValue()) : "closed its output";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = "closed its output";
        }
        String said = stderr.drainAndGet();
        IOException gone = new IOException("the process backend's helper process died before it answered");
        starting.values().forEach(f -> f.completeExceptionally(gone));
        List<SpawnedTask> live = tasks.values().stream().filter(t -> !t.ended()).toList();
        if (terminated && live.isEmpty()) {
            LOG.debug("the bgtasks process helper (pid {}) {} after ending every task", process.pid(), status);
            return; // the loss was logged when it said it received SIGTERM
        }
        LOG.error("the bgtasks process helper (pid {}, {}) {}{}; {} running task(s) are stopped through their sessions"
                + " (SIGTERM, grace period, SIGKILL) and reported LOST; new tasks get a new helper",
                process.pid(), perl, status, said.isEmpty() ? "" : ", after printing: " + said, live.size());
        live.forEach(SpawnedTask::stopInput);
        endOrphans(live);
    }

    private void endOrphans(List<SpawnedTask> live) {
        String why = "the process backend's helper process died; the task's processes were stopped";
        Map<Long, SpawnedTask> bySession = new HashMap<>();
        for (SpawnedTask t : live) {
            long sid = t.pid().orElse(0);
            if (sid > 0 && Sessions.stillOurs(sid, t.leader())) {
                bySession.put(sid, t);
            } else {
                exited(t, ExitStatus.lost("the process backend's helper process died before the task was seen to start"
                        + " or after it ended"));
            }
        }
        Map<Long, Long> killAt = new HashMap<>();
        Set<Long> killed = new HashSet<>(); // sessions that got SIGKILL; killAt then holds when
        long now = System.nanoTime();
        Map<Long, List<ProcessHandle>> members = Sessions.members(bySession.keySet());
        for (Map.Entry<Long, SpawnedTask> e : bySession.entrySet()) {
            Sessions.signal(members.getOrDefault(e.getKey(), List.of()), false);
            killAt.put(e.getKey(), now + e.getValue().launch().stopGracePeriod().toNanos());
        }
        while (!bySession.isEmpty()) {
            members = Sessions.members(bySession.keySet());
            now = System.nanoTime();
            for (Long sid : new ArrayList<>(bySession.keySet())) {
                SpawnedTask t = bySession.get(sid);
                List<ProcessHandle> left = members.getOrDefault(sid, List.of());
                if (left.isEmpty()) {
                    bySession.remove(sid);
                    exited(t, ExitStatus.lost(why + (killed.contains(sid) ? " (SIGKILL after its grace period)"
                            : " (SIGTERM)")));
                } else if (killed.contains(sid) && now - killAt.get(sid) > TimeUnit.SECONDS.toNanos(10)) {
                    bySession.remove(sid); // unkillable (in uninterruptible sleep): do not wait forever
                    exited(t, ExitStatus.lost("the process backend's helper process died; " + left.size()
                            + " process(es) of the task did not end on SIGKILL"));
                } else if (!killed.contains(sid) && (now >= killAt.get(sid) || t.killWanted())) {
                    Sessions.signal(left, true);
                    killed.add(sid);
                    killAt.put(sid, now);
                }
            }
            if (!bySession.isEmpty()) {
                LockSupport.parkNanos(CLEANUP_POLL_NANOS); // only while orphans of a dead helper are ended
            }
        }
    }

    /** Quits the helper (leaving tasks running) and waits for it, bounded by the longest grace. */
    void close() {
        synchronized (requests) {
            if (closing) {
                return;
            }
            closing = true; // before Q: the reader must never take the helper's exit for a crash
            try {
                requests.write("Q\n".getBytes(StandardCharsets.US_ASCII));
                requests.close();
            } catch (IOException e) {
                LOG.debug("helper already gone", e);
            }
        }
        if (tasks.values().stream().anyMatch(t -> t.detached() && !t.ended())) {
            return; // the helper stays for its detached tasks, and records their ends
        }
        try {
            // The helper stays until the leftovers of finished tasks got their SIGKILL.
            if (!process.waitFor(longestGraceMillis.get() + 5_000, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits (bounded) for the cleanup after a crash to end the tasks it found. */
    void awaitFinished() {
        try {
            finished.get(longestGraceMillis.get() + 15_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("the process helper's reader has not finished", e);
        }
    }

    /**
     * The helper's stderr, read without a thread of its own: drained (never blocking) whenever a
     * reply arrives and when the helper ends. Lines go to the log; the last few KiB are kept for
     * error messages.
     */
    private static final class Stderr {
        private static final int KEEP = 4096;
        private final InputStream in;
        private final long pid;
        private final StringBuilder recent = new StringBuilder();
        private final StringBuilder line = new StringBuilder();

        Stderr(InputStream in, long pid) {
            this.in = in;
            this.pid = pid;
        }

        synchronized void drain() {
            try {
                // available() never blocks, even when another process still holds the pipe open;
                // it is almost always 0 here, and a buffer for every reply line was most of the
                // reader's garbage (issue 8)
                int n = in.available();
                if (n <= 0) {
                    return;
                }
                byte[] buf = new byte[4096];
                for (; n > 0; n = in.available()) {
                    int got = in.read(buf, 0, Math.min(n, buf.length));
                    if (got <= 0) {
                        break;
                    }
                    String s = new String(buf, 0, got, StandardCharsets.UTF_8);
                    recent.append(s);
                    if (recent.length() > KEEP) {
                        recent.delete(0, recent.length() - KEEP);
                    }
                    for (char c : s.toCharArray()) {
                        if (c == '\n') {
                            LOG.warn("process backend helper (pid {}) printed: {}", pid, line);
                            line.setLength(0);
                        } else if (line.length() < KEEP) {
                            line.append(c);
                        }
                    }
                }
            } catch (IOException e) {
                LOG.trace("helper stderr closed", e);
            }
        }

        synchronized String drainAndGet() {
            drain();
            return recent.toString().strip();
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static String hex(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return hex(b, 0, b.length);
    }

    /** Encodes as {@code h} and hex digits, so that no field is empty. */
    private static String hex(byte[] b, int from, int to) {
        char[] out = new char[1 + 2 * (to - from)];
        out[0] = 'h';
        for (int i = from, o = 1; i < to; i++) {
            out[o++] = HEX[(b[i] >> 4) & 15];
            out[o++] = HEX[b[i] & 15];
        }
        return new String(out);
    }

    private static String unhex(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h, 2 * i, 2 * i + 2, 16);
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}
