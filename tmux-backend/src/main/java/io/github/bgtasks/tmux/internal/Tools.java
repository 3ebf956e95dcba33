package io.github.bgtasks.tmux.internal;

import io.github.bgtasks.internal.Durations;
import io.github.bgtasks.internal.posix.Executables;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeroturnaround.exec.ProcessExecutor;
import org.zeroturnaround.exec.ProcessResult;

/**
 * The helper programs the backend uses, by absolute path so that neither the JVM's nor a
 * task's {@code PATH} can matter: {@code env}, {@code mv} and {@code sleep} in the wrapper
 * script, {@code mkfifo} for a task's go FIFO, {@code kill} for the one signal Java cannot send
 * (SIGCONT), and Perl, if present and wanted, for exact exit statuses. Found once per backend.
 * This class is immutable and thread-safe.
 *
 * @param env env(1)
 * @param mv mv(1)
 * @param sleep sleep(1)
 * @param mkfifo mkfifo(1)
 * @param kill kill(1), or {@code null} where there is none (then a stopped wrapper is not woken)
 * @param defaultSignal whether env supports {@code --default-signal} (GNU coreutils 8.31+)
 * @param perl Perl, or {@code null} without it
 * @param helperLimit how long one run of a helper may take
 */
public record Tools(String env, String mv, String sleep, String mkfifo, String kill, boolean defaultSignal,
        String perl, Duration helperLimit) {
    private static final Logger LOG = LoggerFactory.getLogger(Tools.class);

    /**
     * Finds the helper programs in {@code /usr/bin} or {@code /bin}.
     *
     * @param perl whether to use Perl where it is installed ({@code false} primarily for tests)
     * @param helperLimit how long one run of a helper may take
     * @return the programs found
     * @throws IllegalStateException if env, mv, sleep or mkfifo is missing
     */
    public static Tools find(boolean perl, Duration helperLimit) {
        String env = required(find("env"), "env");
        String mv = required(find("mv"), "mv");
        String sleep = required(find("sleep"), "sleep");
        String mkfifo = required(find("mkfifo"), "mkfifo");
        boolean defaultSignal = supportsDefaultSignal(env, helperLimit);
        String perlPath = perl ? find("perl") : null;
        return new Tools(env, mv, sleep, mkfifo, find("kill"), defaultSignal, perlPath, helperLimit);
    }

    /** Creates FIFOs, mode 0600, with one run of mkfifo(1) (Java cannot). */
    void mkfifo(List<Path> fifos) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(mkfifo, "-m", "600"));
        fifos.forEach(f -> cmd.add(f.toString()));
        ProcessResult r;
        try {
            r = new ProcessExecutor(cmd).readOutput(true).exitValueAny()
                    .timeout(helperLimit.toMillis(), TimeUnit.MILLISECONDS).execute();
        } catch (TimeoutException e) {
            throw new IOException("mkfifo " + fifos.get(0) + "... did not finish within " + Durations.format(helperLimit));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while creating " + fifos.get(0) + "...");
        }
        if (r.getExitValue() != 0) {
            throw new IOException("could not create the FIFOs " + fifos.get(0) + "... (mkfifo exit " + r.getExitValue()
                    + "): " + r.outputUTF8().trim());
        }
    }

    /**
     * Finds tail(1), which shows the log in the pane when the task writes its log directly.
     *
     * @return its absolute path
     * @throws IllegalStateException if there is none in {@code /usr/bin} or {@code /bin}
     */
    public static String tail() {
        return required(find("tail"), "tail");
    }

    /** Sends a signal Java cannot send itself (SIGCONT) with kill(1); failures only matter to logs. */
    void signal(String signal, long pid) {
        if (kill == null) {
            return;
        }
        try {
            new ProcessExecutor(kill, "-s", signal, Long.toString(pid))
                    .timeout(helperLimit.toMillis(), TimeUnit.MILLISECONDS).exitValueAny().execute();
        } catch (Exception e) {
            LOG.debug("kill -s {} {} failed", signal, pid, e);
        }
    }

    /** The only places helpers are taken from: never the JVM's or a task's {@code PATH}. */
    private static final String SYSTEM_PATH = "/usr/bin:/bin";

    private static String find(String program) {
        return Executables.find(program, Path.of("/"), SYSTEM_PATH).map(Path::toString).orElse(null);
    }

    private static String required(String path, String tool) {
        if (path == null) {
            throw new IllegalStateException("the tmux backend needs " + tool + " in /usr/bin or /bin; install coreutils");
        }
        return path;
    }

    /** GNU env 8.31+ can reset signals; without it, Ctrl-C cannot reach a task (documented). */
    private static boolean supportsDefaultSignal(String env, Duration helperLimit) {
        try {
            return new ProcessExecutor(env, "--default-signal=INT", "true")
                    .timeout(helperLimit.toMillis(), TimeUnit.MILLISECONDS).exitValueAny().execute()
                    .getExitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
