package io.github.bgtasks.health;

import io.github.bgtasks.internal.Durations;
import io.github.bgtasks.internal.health.Access;
import io.github.bgtasks.internal.health.Probe;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A check run on a task every period while it runs, such as
 * {@code HealthCheck.http(URI.create("http://127.0.0.1:8000/")).every(Duration.ofSeconds(5)).failureThreshold(2)}.
 * Add it with {@code TaskSpec.Builder.healthCheck(..)}.
 *
 * <p>Each run has its own timeout; a run that passes it, or throws, counts as unhealthy with
 * that as its evidence. A check turns {@link Health.State#UNHEALTHY} after
 * {@link #failureThreshold(int)} unhealthy runs in a row, and healthy again after
 * {@link #successThreshold(int)} healthy runs in a row; each turn raises one {@link Alert}.
 * Defaults: every 30 s, first run one period after the start, timeout 10 s, thresholds 1,
 * and {@link Action#ALERT}: an unhealthy check only raises its alert, unless
 * {@link #onUnhealthy(Action)} asks to restart or stop the task as well.
 *
 * <p>This class is immutable and thread-safe: each setter returns a new check.
 */
public class HealthCheck {
    static final Duration DEFAULT_PERIOD = Duration.ofSeconds(30);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    static {
        Access.setChecks(o -> o instanceof Resources r ? r.resourceProbe() : ((HealthCheck) o).probe);
    }

    private final String name;
    private final Probe.Factory<CheckResult> probe;
    private Duration period = DEFAULT_PERIOD;
    private Duration initialDelay; // null: one period
    private Duration timeout = DEFAULT_TIMEOUT;
    private int failureThreshold = 1;
    private int successThreshold = 1;
    private Action action = Action.ALERT;

    /**
     * What happens, besides the {@link Alert.Kind#UNHEALTHY} alert, when a check turns
     * unhealthy. Only the turn acts, once: a check that stays unhealthy does not act again.
     */
    public enum Action {
        /** Raise the alert only (the default). */
        ALERT,
        /**
         * Raise the alert, then stop the task's current run (SIGTERM, its grace period, SIGKILL)
         * and start a new one, as for a failed run under the task's
         * {@link RestartPolicy}: after its backoff, counted against its
         * {@linkplain RestartPolicy#maxRestarts(int) limit}, with a {@link Alert.Kind#GAVE_UP}
         * alert once the limit is reached. A task without a restart policy is restarted after
         * the defaults of {@link RestartPolicy#onFailure()} (no limit, backoff 1 s doubling up to
         * 1 min), on unhealthy checks only; its own failures are still not restarted.
         */
        RESTART,
        /**
         * Raise the alert, then stop the task (SIGTERM, its grace period, SIGKILL); it ends as
         * {@code STOPPED}, and a restart policy does not restart it.
         */
        STOP
    }

    HealthCheck(String name, Probe.Factory<CheckResult> probe) {
        this.name = name;
        this.probe = probe;
    }

    HealthCheck(HealthCheck from) {
        this.name = from.name;
        this.probe = from.probe;
        this.period = from.period;
        this.initialDelay = from.initialDelay;
        this.timeout = from.timeout;
        this.failureThreshold = from.failureThreshold;
        this.successThreshold = from.successThreshold;
        this.action = from.action;
    }

    /** A copy of this check, of the same class. */
    HealthCheck copy() {
        return new HealthCheck(this);
    }

    /**
     * The task still runs. For a task meant to run until stopped: an end that was not asked for
     * with {@code stop()} is an alert at once, not at the next period.
     *
     * @return the check, named {@code alive}
     */
    public static HealthCheck alive() {
        return new HealthCheck("alive", Probes.alive());
    }

    /**
     * Error lines that appeared in the task's log since the last run, by the instance's error
     * pattern; the evidence is those lines (up to 20) with their line numbers.
     *
     * @return the check, named {@code newErrors}
     */
    public static HealthCheck newErrors() {
        return new HealthCheck("newErrors", Probes.newErrors(null));
    }

    /**
     * Lines matching {@code pattern} ({@code find}) that appeared since the last run.
     *
     * @param pattern the pattern
     * @return the check, named {@code newErrors /pattern/}
     */
    public static HealthCheck newErrors(Pattern pattern) {
        Objects.requireNonNull(pattern, "pattern must not be null");
        return new HealthCheck("newErrors /" + pattern + "/", Probes.newErrors(pattern));
    }

    /**
     * The resources of the task's whole process tree (the root process and its descendants),
     * read from {@code /proc}, or from {@code ps} where there is no {@code /proc} (macOS, the
     * BSDs): resident memory, CPU use since the last run, number of processes, against the
     * limits set on the returned check. {@link Health.State#UNKNOWN} where the backend tells no
     * process id.
     *
     * @return the check, named {@code resources}, with no limits yet
     */
    public static Resources resources() {
        return new Resources();
    }

    /**
     * A TCP connection to {@code 127.0.0.1:port} succeeds.
     *
     * @param port 1 to 65535
     * @return the check, named {@code tcp <port>}
     * @throws IllegalArgumentException if the port is out of range
     */
    public static HealthCheck tcp(int port) {
        return tcp("127.0.0.1", port);
    }

    /**
     * A TCP connection to {@code host:port} succeeds.
     *
     * @param host a host name or address
     * @param port 1 to 65535
     * @return the check, named {@code tcp <host>:<port>}
     * @throws IllegalArgumentException if the port is out of range or the host blank
     */
    public static HealthCheck tcp(String host, int port) {
        Objects.requireNonNull(host, "host must not be null");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        Checks.port(port);
        return new HealthCheck(host.equals("127.0.0.1") ? "tcp " + port : "tcp " + host + ":" + port,
                Probes.tcp(host, port));
    }

    /**
     * A GET of {@code url} answers with a status below 400, through the JDK's {@code HttpClient}
     * (no redirects followed).
     *
     * @param url an absolute {@code http} or {@code https} URL
     * @return the check, named {@code http <url>}
     * @throws IllegalArgumentException if the URL is not absolute http(s) with a host
     */
    public static HealthCheck http(URI url) {
        return http(url, 0);
    }

    /**
     * A GET of {@code url} answers with the {@code expected} status.
     *
     * @param url an absolute {@code http} or {@code https} URL
     * @param expected the status, 100 to 599
     * @return the check, named {@code http <url>}
     * @throws IllegalArgumentException if the URL or status is invalid
     */
    public static HealthCheck http(URI url, int expected) {
        URI u = Checks.url(url);
        int status = expected == 0 ? 0 : Checks.status(expected);
        return new HealthCheck("http " + u, t -> Probes.http(u, status, HttpClients.SHARED).open(t));
    }

    /**
     * As {@link #http(URI)}, parsing the URL here, so that a malformed one is an
     * {@link IllegalArgumentException} naming it.
     *
     * @param url an absolute {@code http} or {@code https} URL
     * @return the check
     */
    public static HealthCheck http(String url) {
        return http(Checks.url(url));
    }

    /**
     * The task wrote output within {@code limit}: a task quiet for longer looks stalled.
     *
     * @param limit a positive duration
     * @return the check, named {@code quietFor}
     */
    public static HealthCheck quietFor(Duration limit) {
        Durations.requirePositive(limit, "quiet limit");
        return new HealthCheck("quietFor", Probes.quietFor(limit));
    }

    /**
     * A check written in Java. It runs on a pool thread, never on the scheduler; {@code null}
     * and exceptions count as unhealthy. At its timeout the thread is interrupted: a check that
     * blocks should block interruptibly, so that a hung one holds no thread of the small pool
     * that all checks share.
     *
     * @param name the check's name, for health and alerts
     * @param check returns the result
     * @return the check
     */
    public static HealthCheck custom(String name, Supplier<CheckResult> check) {
        Checks.name(name);
        Objects.requireNonNull(check, "check must not be null");
        return new HealthCheck(name, Probes.custom(name, check));
    }

    /**
     * Sets how often the check runs: each run begins one period after the last began, or when
     * the last ends if it took longer; runs of one check never overlap.
     *
     * @param period a positive duration
     * @return a new check
     */
    public HealthCheck every(Duration period) {
        Durations.requirePositive(period, "health check period");
        HealthCheck c = copy();
        c.period = period;
        return c;
    }

    /**
     * Sets the wait between the task's start and the first run. Default: one period.
     *
     * @param delay zero or positive
     * @return a new check
     */
    public HealthCheck initialDelay(Duration delay) {
        Objects.requireNonNull(delay, "initial delay must not be null");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("initial delay must not be negative, was " + delay);
        }
        HealthCheck c = copy();
        c.initialDelay = delay;
        return c;
    }

    /**
     * Sets how long one run may take; a longer run counts as unhealthy ("timed out").
     *
     * @param timeout a positive duration; default 10 s
     * @return a new check
     */
    public HealthCheck timeout(Duration timeout) {
        Durations.requirePositive(timeout, "health check timeout");
        HealthCheck c = copy();
        c.timeout = timeout;
        return c;
    }

    /**
     * Sets how many unhealthy runs in a row turn the check unhealthy.
     *
     * @param n at least 1; default 1
     * @return a new check
     */
    public HealthCheck failureThreshold(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("failure threshold must be at least 1, was " + n);
        }
        HealthCheck c = copy();
        c.failureThreshold = n;
        return c;
    }

    /**
     * Sets how many healthy runs in a row turn an unhealthy check healthy again.
     *
     * @param n at least 1; default 1
     * @return a new check
     */
    public HealthCheck successThreshold(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("success threshold must be at least 1, was " + n);
        }
        HealthCheck c = copy();
        c.successThreshold = n;
        return c;
    }

    /**
     * Sets what happens when the check turns unhealthy, besides its alert: nothing more
     * ({@link Action#ALERT}, the default), a restart of the task ({@link Action#RESTART}) or its
     * stop ({@link Action#STOP}). The failure threshold applies first: a task is restarted only
     * after {@link #failureThreshold(int)} unhealthy runs in a row. An {@link #alive()} check
     * turns unhealthy when the task has ended: there, use a {@link RestartPolicy}; an action has
     * nothing left to act on.
     *
     * @param action the action
     * @return a new check
     */
    public HealthCheck onUnhealthy(Action action) {
        Objects.requireNonNull(action, "action must not be null (use Action.ALERT for an alert only)");
        HealthCheck c = copy();
        c.action = action;
        return c;
    }

    /** @return what happens when the check turns unhealthy, besides its alert */
    public Action onUnhealthy() {
        return action;
    }

    /** @return the name, unique among a task's checks */
    public String name() {
        return name;
    }

    /** @return the period */
    public Duration period() {
        return period;
    }

    /** @return the wait before the first run */
    public Duration initialDelay() {
        return initialDelay != null ? initialDelay : period;
    }

    /** @return the timeout of one run */
    public Duration timeout() {
        return timeout;
    }

    /** @return unhealthy runs in a row before the check is unhealthy */
    public int failureThreshold() {
        return failureThreshold;
    }

    /** @return healthy runs in a row before an unhealthy check is healthy again */
    public int successThreshold() {
        return successThreshold;
    }

    @Override
    public String toString() {
        return "HealthCheck{" + name + " every " + period + ", timeout " + timeout + ", thresholds "
                + failureThreshold + "/" + successThreshold + (action == Action.ALERT ? "" : ", on unhealthy " + action) + "}";
    }

    /**
     * The resources check, with its limits; a limit left unset is not checked. This class is
     * immutable and thread-safe.
     */
    public static final class Resources extends HealthCheck {
        private long maxResident;
        private double maxCpu;
        private int maxProcesses;

        Resources() {
            super("resources", null);
        }

        private Resources(Resources from) {
            super(from);
            this.maxResident = from.maxResident;
            this.maxCpu = from.maxCpu;
            this.maxProcesses = from.maxProcesses;
        }

        @Override
        Resources copy() {
            return new Resources(this);
        }

        Probe.Factory<CheckResult> resourceProbe() {
            return Probes.resources(maxResident, maxCpu, maxProcesses);
        }

        /**
         * @param bytes the most resident memory (RSS) the whole tree may use, positive
         * @return a new check
         */
        public Resources maxResidentMemory(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("resident memory limit must be positive, was " + bytes);
            }
            Resources c = copy();
            c.maxResident = bytes;
            return c;
        }

        /**
         * @param percent the most CPU the tree may use between two runs, where 100 is one core
         * @return a new check
         */
        public Resources maxCpuPercent(double percent) {
            if (!(percent > 0) || Double.isInfinite(percent)) {
                throw new IllegalArgumentException("CPU limit must be a positive percentage, was " + percent);
            }
            Resources c = copy();
            c.maxCpu = percent;
            return c;
        }

        /**
         * @param count the most processes the tree may have, at least 1
         * @return a new check
         */
        public Resources maxProcesses(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("process limit must be at least 1, was " + count);
            }
            Resources c = copy();
            c.maxProcesses = count;
            return c;
        }

        @Override
        public Resources every(Duration period) {
            return (Resources) super.every(period);
        }

        @Override
        public Resources initialDelay(Duration delay) {
            return (Resources) super.initialDelay(delay);
        }

        @Override
        public Resources timeout(Duration timeout) {
            return (Resources) super.timeout(timeout);
        }

        @Override
        public Resources failureThreshold(int n) {
            return (Resources) super.failureThreshold(n);
        }

        @Override
        public Resources successThreshold(int n) {
            return (Resources) super.successThreshold(n);
        }

        @Override
        public Resources onUnhealthy(Action action) {
            return (Resources) super.onUnhealthy(action);
        }
    }
}
