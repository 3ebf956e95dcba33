package io.github.bgtasks.ssh.internal;

import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import io.github.bgtasks.tmux.internal.ServerAddress;
import io.github.bgtasks.tmux.internal.Tools;
import io.github.bgtasks.tmux.internal.Wrapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One remote host: its master connection, which also streams the exit records of its tasks,
 * and its tasks.
 *
 * <p>One thread per host does all the waiting: it runs the master connection ({@code ssh -M},
 * whose session prints the host's facts and then follows the host's events file from the last
 * offset it has read), hands each exit record to its task, and when the connection drops,
 * reconnects with backoff (0.2 s doubling to 5 s). A dropped connection changes nothing for the
 * tasks: they run on; after the reconnect the stream resumes where it stopped, so no record is
 * missed, and each task completes once (its future completes once; a repeated record is
 * ignored). A host that stays unreachable past the limit makes its tasks LOST with the reason.
 * This class is thread-safe.
 */
public final class RemoteHost {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteHost.class);
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)");
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** How long a task whose session is gone may take to deliver its exit record. */
    private static final Duration SETTLE = Duration.ofSeconds(2);
    /** Bytes per {@code send-keys -H} call: 3 argv bytes each, well under tmux's 16 KiB. */
    private static final int SEND_CHUNK = 4000;

    /** What the host reported about itself on the first connection. */
    record Facts(String base, String home, Map<String, String> environment, Tools tools) {
    }

    private final Ssh ssh;
    private final String socket;
    private final String requestedBase;
    private final int maxTasks;
    private final Duration callLimit;
    private final Duration unreachableLimit;
    private final ScheduledExecutorService scheduler;
    private final Path errorFile;
    private final Map<String, RemoteTask> tasks = new ConcurrentHashMap<>();
    private final AtomicInteger placing = new AtomicInteger();
    private final CompletableFuture<Facts> facts = new CompletableFuture<>();
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean closed;
    private volatile Process master;
    /** Bytes of the events file read so far, as a 1-based offset for {@code tail -c +N}; 0: start at its end. */
    private long offset;
    /** When the connection was lost, by {@link System#nanoTime()}, or 0 while connected. */
    private volatile long downSince;
    private volatile String lastProblem = "";

    /**
     * @param ssh the host's ssh
     * @param socket the tmux socket name on the host
     * @param requestedBase the base directory on the host, or {@code null} for {@code ~/.bgtasks-ssh/<socket>}
     * @param maxTasks the most tasks that may run on the host at once
     * @param callLimit how long one call may take
     * @param unreachableLimit how long the host may stay unreachable before its tasks are lost
     * @param scheduler for delayed work
     * @param errorFile where the master connection's error output goes (a private directory)
     */
    public RemoteHost(Ssh ssh, String socket, String requestedBase, int maxTasks, Duration callLimit,
            Duration unreachableLimit, ScheduledExecutorService scheduler, Path errorFile) {
        this.ssh = ssh;
        this.socket = socket;
        this.requestedBase = requestedBase;
        this.maxTasks = maxTasks;
        this.callLimit = callLimit;
        this.unreachableLimit = unreachableLimit;
        this.scheduler = scheduler;
        this.errorFile = errorFile;
    }

    /**
     * Starts the host's thread and waits for the first connection.
     *
     * @throws IllegalStateException if the host cannot be reached or lacks what tasks need
     */
    public void connect() {
        Thread t = new Thread(this::run, "bgtasks-ssh-" + ssh.destination());
        t.setDaemon(true);
        t.start();
        try {
            Facts f = facts.get(callLimit.toMillis() + 15_000, TimeUnit.MILLISECONDS);
            checkTools(f);
        } catch (java.util.concurrent.ExecutionException e) {
            close();
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            close();
            throw new IllegalStateException("ssh " + ssh.destination() + " did not connect within "
                    + seconds(callLimit) + ": " + lastProblem);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while connecting to " + ssh.destination());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void checkTools(Facts f) {
        Tools t = f.tools();
        for (String[] need : new String[][] {{t.env(), "env"}, {t.mv(), "mv"}, {t.sleep(), "sleep"}, {t.mkfifo(), "mkfifo"}}) {
            if (need[0].isEmpty()) {
                throw new IllegalStateException("host " + ssh.destination() + " has no " + need[1]
                        + " on the PATH of a non-interactive ssh session; install coreutils there");
            }
        }
    }

    /** The host's thread: connect, stream, reconnect with backoff, until closed. */
    private void run() {
        Duration backoff = FIRST_BACKOFF;
        while (!closed) {
            boolean streamed = false;
            try {
                streamed = streamOnce();
            } catch (IOException | RuntimeException e) {
                lastProblem = e.getMessage();
            }
            if (closed) {
                break;
            }
            String err = readError();
            if (!err.isEmpty()) {
                lastProblem = err;
            }
            if (!facts.isDone()) {
                facts.completeExceptionally(new IllegalStateException("could not connect to " + ssh.destination()
                        + " with ssh: " + lastProblem));
                return;
            }
            long now = System.nanoTime();
            if (streamed) {
                backoff = FIRST_BACKOFF;
            }
            if (downSince == 0) {
                downSince = now;
                LOG.info("lost the connection to {} ({}); reconnecting", ssh.destination(), lastProblem);
            } else if (now - downSince >= unreachableLimit.toNanos()) {
                loseAll("host " + ssh.destination() + " has been unreachable for " + seconds(unreachableLimit)
                        + ": " + lastProblem);
            }
            try {
                if (closedLatch.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                break;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /**
     * Runs one master connection until it ends.
     *
     * @return whether it got as far as streaming
     */
    private boolean streamOnce() throws IOException {
        List<String> args = List.of(requestedBase == null ? "" : requestedBase, socket, ServerAddress.config(),
                Long.toString(offset));
        // A master killed by SIGKILL leaves its socket behind, and a new master would then run
        // without multiplexing ("ControlSocket already exists"): the old one has exited (below).
        Files.deleteIfExists(ssh.controlPath());
        ProcessBuilder pb = new ProcessBuilder(ssh.masterCommand(Scripts.CONNECT, args))
                .redirectError(ProcessBuilder.Redirect.to(errorFile.toFile()));
        Process p = pb.start();
        master = p;
        connections.incrementAndGet();
        if (closed) {
            p.destroyForcibly();
            return false;
        }
        // Our end of the session's input stays open: the remote reader ends when it closes.
        try (InputStream in = new BufferedInputStream(p.getInputStream())) {
            Map<String, String> info = new HashMap<>();
            for (String line = line(in); line != null; line = line(in)) {
                if (line.equals("ready")) {
                    ready(info);
                    streamEvents(in);
                    return true;
                }
                int eq = line.indexOf('=');
                if (eq > 0) {
                    info.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return false;
        } finally {
            p.destroy();
            try {
                p.getOutputStream().close();
            } catch (IOException e) {
                // gone already
            }
            p.destroyForcibly();
            try {
                p.waitFor(callLimit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            master = null;
        }
    }

    private void ready(Map<String, String> info) {
        if (facts.isDone()) {
            // A reconnect: the stream replays what ended meanwhile; a task whose session has
            // gone without leaving a record (the host restarted) would never be reported.
            scheduleReconcile(null);
        }
        if (offset == 0) {
            offset = Long.parseLong(info.getOrDefault("offset", "1"));
        }
        if (downSince != 0) {
            LOG.info("reconnected to {} after {}", ssh.destination(),
                    seconds(Duration.ofNanos(System.nanoTime() - downSince)));
        }
        downSince = 0;
        if (!facts.isDone()) {
            String tmux = info.getOrDefault("tmux", "");
            Matcher m = VERSION.matcher(tmux);
            if (!m.find() || Integer.parseInt(m.group(1)) < 3
                    || (Integer.parseInt(m.group(1)) == 3 && Integer.parseInt(m.group(2)) < 2)) {
                facts.completeExceptionally(new IllegalStateException("host " + ssh.destination() + " needs tmux 3.2 "
                        + "or later on the PATH of a non-interactive ssh session; found: "
                        + (tmux.isEmpty() ? "nothing" : tmux)));
                return;
            }
            Map<String, String> env = new HashMap<>();
            put(env, "HOME", info.get("home"));
            put(env, "PATH", info.get("path"));
            put(env, "USER", info.get("user"));
            put(env, "LOGNAME", info.get("logname"));
            put(env, "SHELL", info.get("shell"));
            put(env, "LANG", info.get("lang"));
            String perl = info.getOrDefault("perl", "");
            Tools tools = new Tools(info.getOrDefault("env", ""), info.getOrDefault("mv", ""),
                    info.getOrDefault("sleep", ""), info.getOrDefault("mkfifo", ""), null,
                    "1".equals(info.get("defaultsignal")), perl.isEmpty() ? null : perl, callLimit);
            facts.complete(new Facts(info.get("base"), info.getOrDefault("home", "/"), Map.copyOf(env), tools));
        }
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static void put(Map<String, String> env, String key, String value) {
        if (value != null && !value.isEmpty()) {
            env.put(key, value);
        }
    }

    private void streamEvents(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (c != '\n') {
                b.write(c);
                continue;
            }
            offset += b.size() + 1;
            String event = b.toString(StandardCharsets.UTF_8);
            b.reset();
            int space = event.indexOf(' ');
            if (space > 0) {
                RemoteTask t = tasks.get(event.substring(0, space));
                if (t != null) {
                    t.complete(decode(t, event.substring(space + 1)));
                }
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (c == '\n') {
                return b.toString(StandardCharsets.UTF_8);
            }
            b.write(c);
        }
        return null;
    }

    private String readError() {
        try {
            String s = Files.readString(errorFile, StandardCharsets.UTF_8).trim();
            return s.length() > 500 ? s.substring(s.length() - 500) : s;
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    /** Decodes an exit record: {@code exit N} or {@code signal N}, perhaps {@code hangup}, or {@code lost}; perhaps {@code timedout}. */
    private ExitStatus decode(RemoteTask t, String record) {
        List<String> f = new ArrayList<>(List.of(record.trim().split(" ")));
        boolean timedOut = f.remove("timedout");
        boolean hangup = f.remove("hangup");
        ExitStatus s;
        try {
            int n = f.size() > 1 ? Integer.parseInt(f.get(1)) : -1;
            s = switch (f.get(0)) {
                case "exit" -> ExitStatus.exited(n);
                case "signal" -> ExitStatus.signaled(n);
                case "lost" -> ExitStatus.lost("the task's wrapper on " + ssh.destination() + " ended without recording "
                        + "an exit status: it was killed (SIGKILL) or the host restarted");
                default -> throw new IllegalArgumentException(f.get(0));
            };
        } catch (RuntimeException e) {
            return ExitStatus.lost("the task's exit record '" + record.trim() + "' on " + ssh.destination()
                    + " is unreadable");
        }
        if (hangup && s.signal().isPresent() && !t.stopRequested()) {
            s = ExitStatus.lost("its tmux session on " + ssh.destination() + " was killed, or the tmux server there "
                    + "exited, so its terminal hung up; it ended with signal " + s.signal().getAsInt());
        }
        return timedOut ? s.asTimedOut() : s;
    }

    /**
     * Looks for tasks whose session is gone although no exit record came: after a settle time
     * (the stream has replayed what ended meanwhile, and a task that has just ended is writing
     * its record), and then, for those still open, once more after another settle time.
     *
     * @param candidates the tags found gone the first time, or {@code null} for the first look
     */
    private void scheduleReconcile(Set<String> candidates) {
        try {
            scheduler.schedule(() -> reconcile(candidates), SETTLE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    private void reconcile(Set<String> candidates) {
        if (closed) {
            return;
        }
        Set<String> live;
        try {
            live = Set.copyOf(List.of(ssh.text(Scripts.LIVE, List.of(base(), socket), callLimit).split("\n")));
        } catch (IOException e) {
            LOG.debug("could not list the tmux sessions on {}: {}", ssh.destination(), e.getMessage());
            return; // the next reconnect looks again
        }
        Set<String> gone = new java.util.HashSet<>();
        for (RemoteTask t : tasks.values()) {
            // Only tasks whose start has returned: a start under way has no session yet.
            if (!t.exit().isDone() && t.remotePid() > 0 && !live.contains(t.tag())) {
                gone.add(t.tag());
            }
        }
        if (candidates == null) {
            if (!gone.isEmpty()) {
                scheduleReconcile(gone);
            }
            return;
        }
        for (String tag : gone) {
            RemoteTask t = tasks.get(tag);
            if (t != null && candidates.contains(tag) && t.complete(ExitStatus.lost("its tmux session on "
                    + ssh.destination() + " is gone and no exit status was recorded: the host restarted, or the task's "
                    + "wrapper and log pipe were killed while the connection was down"))) {
                LOG.warn("task {} on {} is lost: its session is gone without an exit record", t.launch().id(),
                        ssh.destination());
            }
        }
    }

    /** Completes every task of the host as lost. */
    private void loseAll(String why) {
        for (RemoteTask t : tasks.values()) {
            if (t.complete(ExitStatus.lost(why))) {
                LOG.warn("task {} is lost: {}", t.launch().id(), why);
            }
        }
    }

    /** @return what the host reported on the first connection */
    Facts facts() {
        return facts.getNow(null);
    }

    /** @return the host as the user names it */
    public String destination() {
        return ssh.destination();
    }

    /** @return the base directory on the host */
    public String base() {
        return facts().base();
    }

    /** @return the home directory on the host */
    public String home() {
        return facts().home();
    }

    /** @return the environment a task starts from on the host (HOME, PATH, USER, LOGNAME, SHELL, LANG) */
    public Map<String, String> environment() {
        return facts().environment();
    }

    /** @return the tasks that run on the host, counting those being placed on it */
    public int load() {
        return (int) tasks.values().stream().filter(t -> !t.exit().isDone()).count() + placing.get();
    }

    /** @return whether another task may be placed on the host */
    public boolean hasRoom() {
        return load() < maxTasks;
    }

    /** @return the most tasks that may run on the host at once */
    public int maxTasks() {
        return maxTasks;
    }

    /** Counts a task being placed on the host until {@link #unplaced()}. */
    public void placed() {
        placing.incrementAndGet();
    }

    /** Ends what {@link #placed()} began. */
    public void unplaced() {
        placing.decrementAndGet();
    }

    /** @return whether the master connection is up */
    public boolean connected() {
        return master != null && downSince == 0;
    }

    /** Primarily for tests: the master connection's ssh process, if it runs. */
    public Optional<ProcessHandle> masterProcess() {
        Process p = master;
        return p == null ? Optional.empty() : Optional.of(p.toHandle());
    }

    /**
     * Primarily for tests: asks ssh whether the master connection accepts calls ({@code ssh -O check}).
     *
     * @return whether calls are multiplexed over the master connection
     */
    public boolean multiplexed() {
        return ssh.masterRuns();
    }

    /** Primarily for tests: how many master connections were started. */
    public int connections() {
        return connections.get();
    }

    /**
     * @return the load average of the last minute on the host
     * @throws IOException if it could not be read
     */
    public double loadAverage() throws IOException {
        return Double.parseDouble(ssh.text(Scripts.LOAD, List.of(), callLimit).trim());
    }

    /**
     * Checks a working directory and a program on the host.
     *
     * @throws IllegalArgumentException if either is unusable; the message names it and the host
     */
    public void validate(String program, String workingDirectory, String path) {
        String answer;
        try {
            answer = ssh.text(Scripts.VALIDATE, List.of(workingDirectory, program, path == null ? "/usr/bin:/bin" : path),
                    callLimit).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("could not check the task on " + ssh.destination() + ": " + e.getMessage(), e);
        }
        String on = " on host " + ssh.destination();
        switch (answer) {
            case "ok" -> {
            }
            case "nodir" -> throw new IllegalArgumentException("working directory " + workingDirectory + " does not exist" + on);
            case "notdir" -> throw new IllegalArgumentException("working directory " + workingDirectory
                    + " is not a directory" + on);
            case "noprog" -> throw new IllegalArgumentException("program '" + program + "' was not found on PATH (" + path
                    + ")" + on + "; install it there or give its absolute path");
            case "missing" -> throw new IllegalArgumentException("program '" + program + "' does not exist" + on);
            case "isdir" -> throw new IllegalArgumentException("program '" + program + "' is a directory, not a program" + on);
            case "notexec" -> throw new IllegalArgumentException("program '" + program + "' is not executable" + on
                    + "; check its permissions (chmod +x)");
            default -> throw new UncheckedIOException(new IOException("unexpected answer from " + ssh.destination()
                    + " while checking the task: " + answer));
        }
    }

    /**
     * Starts a task in a new session on the host.
     *
     * @param l what to start; its log file is on the host
     * @return the running task
     * @throws IOException if it could not be started
     */
    public RemoteTask launch(Launch l) throws IOException {
        Facts f = facts();
        for (int n = 1; ; n++) {
            String tag = n == 1 ? l.id() : l.id() + "~" + n;
            String dir = f.base() + "/tasks/" + tag;
            RemoteTask t = new RemoteTask(this, l, tag);
            if (tasks.putIfAbsent(tag, t) != null) {
                continue;
            }
            byte[] record = Records.write(l);
            byte[] script = Wrapper.script(l, Path.of(dir), f.tools()).getBytes(StandardCharsets.UTF_8);
            byte[] input = new byte[record.length + script.length];
            System.arraycopy(record, 0, input, 0, record.length);
            System.arraycopy(script, 0, input, record.length, script.length);
            try {
                String out = new String(ssh.run(Scripts.LAUNCH, List.of(f.base(), tag, l.name(), socket,
                        logPipe(l.logFile().toString(), dir, tag, f.base() + "/events"), f.tools().env(),
                        Integer.toString(record.length)), input, callLimit), StandardCharsets.UTF_8).trim();
                t.identify(Long.parseLong(out));
                return t;
            } catch (SshException e) {
                tasks.remove(tag, t);
                if (e.status() == 5) {
                    continue; // an earlier run with the same id, kept for a log directory elsewhere
                }
                if (e.status() == 6) {
                    throw new IOException("a tmux session named '" + l.name() + "' already exists on " + ssh.destination()
                            + " (perhaps started by another JVM); choose another name or end that session", e);
                }
                throw e;
            } catch (IOException | RuntimeException e) {
                tasks.remove(tag, t);
                throw e;
            }
        }
    }

    /**
     * Finds the tasks recorded on the host that this instance does not watch yet (an earlier
     * JVM started them): running ones are watched from now on, ended ones complete with their
     * recorded status, and ones whose session is gone without a record complete as lost.
     *
     * @return the tasks found
     * @throws IOException if the host could not be asked
     */
    public List<RemoteTask> discover() throws IOException {
        List<RemoteTask> found = new ArrayList<>();
        for (String line : ssh.text(Scripts.FIND, List.of(base(), socket), callLimit).split("\n")) {
            String[] f = line.trim().split(" ", 3);
            if (f.length < 3 || tasks.containsKey(f[0])) {
                continue;
            }
            Launch l;
            try {
                l = Records.read(ssh.run(Scripts.RECORD, List.of(base(), f[0]), new byte[0], callLimit));
            } catch (IOException | RuntimeException e) {
                LOG.warn("ignoring the task record {} on {}: {}", f[0], ssh.destination(), e.toString());
                continue;
            }
            RemoteTask t = new RemoteTask(this, l, f[0]);
            t.identify(Long.parseLong(f[1]));
            if (tasks.putIfAbsent(f[0], t) != null) {
                continue;
            }
            switch (f[2]) {
                case "running" -> {
                    // its end comes through the stream
                }
                case "gone" -> t.complete(ExitStatus.lost("its tmux session on " + ssh.destination() + " is gone and "
                        + "no exit status was recorded: the host restarted, or the task's wrapper was killed"));
                default -> t.complete(decode(t, f[2]));
            }
            found.add(t);
        }
        return found;
    }

    /**
     * The {@code pipe-pane} command: appends the pane's bytes to the log; once the pane is gone
     * (the log has every byte), waits for the wrapper's exit record and appends the task's
     * event line. tmux runs it with {@code /bin/sh -c} after format and strftime expansion: the
     * values are quoted and their {@code #} and {@code %} doubled, and the text has no other
     * {@code %}; {@code #{pane_pid}} is the wrapper.
     */
    static String logPipe(String log, String dir, String tag, String events) {
        return "cat >> " + q(log) + "; st=" + q(dir)
                + "; while [ ! -f \"$st/exit\" ] && kill -0 #{pane_pid} 2>/dev/null; do sleep 0.05; done"
                + "; r=lost; [ -f \"$st/exit\" ] && r=$(cat \"$st/exit\"); [ -f \"$st/timedout\" ] && r=\"$r timedout\""
                + "; echo " + q(tag) + " \"$r\" >> " + q(events);
    }

    private static String q(String s) {
        return Wrapper.quote(s).replace("#", "##").replace("%", "%%");
    }

    void terminate(RemoteTask t) throws IOException {
        signal(Scripts.TERMINATE, t);
    }

    void kill(RemoteTask t) throws IOException {
        signal(Scripts.KILL, t);
    }

    private void signal(String script, RemoteTask t) throws IOException {
        ssh.run(script, List.of(base(), socket, t.launch().name(), t.tag(), Long.toString(t.remotePid())), new byte[0],
                callLimit);
    }

    void send(RemoteTask t, byte[] bytes) throws IOException {
        for (int from = 0; from < bytes.length; from += SEND_CHUNK) {
            StringBuilder hex = new StringBuilder();
            for (int i = from; i < Math.min(bytes.length, from + SEND_CHUNK); i++) {
                hex.append(hex.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%02x", bytes[i] & 0xff));
            }
            ssh.run(Scripts.SEND, List.of(base(), socket, t.launch().name(), hex.toString()), new byte[0], callLimit);
        }
    }

    String attachCommand(RemoteTask t) {
        return ssh.attachCommand("tmux -L " + socket + " attach -t " + Wrapper.quote("=" + t.launch().name()));
    }

    /** Forgets a finished task and deletes its state on the host, in the background. */
    void release(RemoteTask t) {
        tasks.remove(t.tag(), t);
        try {
            scheduler.execute(() -> {
                try {
                    ssh.run(Scripts.RELEASE, List.of(base(), t.tag()), new byte[0], callLimit);
                } catch (IOException e) {
                    LOG.debug("could not delete the state of task {} on {}: {}", t.launch().id(), ssh.destination(),
                            e.getMessage());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed: the task's small state directory stays on the host
        }
    }

    /** @return the host's ssh, for the log store */
    public Ssh ssh() {
        return ssh;
    }

    /** @return how long one call may take */
    public Duration callLimit() {
        return callLimit;
    }

    /** Ends the master connection and the host's thread. Tasks keep running on the host. */
    public void close() {
        closed = true;
        closedLatch.countDown();
        Process p = master;
        if (p != null) {
            p.destroy();
        }
    }

    @Override
    public String toString() {
        return ssh.destination();
    }
}
