package io.github.bgtasks.slurm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.zeroturnaround.exec.ProcessExecutor;
import org.zeroturnaround.exec.ProcessResult;

/**
 * Runs Slurm's client commands (short, synchronous calls) with a clean environment: sbatch and
 * squeue read {@code SBATCH_*} and {@code SQUEUE_*} variables as options, so none of the JVM's
 * (or a task's) variables reach them, only PATH and, when configured, SLURM_CONF.
 */
final class Slurm {
    /** What one call printed and how it ended. */
    record Result(int exit, String out, String err) {
        boolean ok() {
            return exit == 0;
        }
    }

    private final String bin; // directory prefix of the commands, "" for PATH
    private final Map<String, String> env = new HashMap<>();
    private final Duration callLimit;
    private final AtomicLong squeueCalls = new AtomicLong();

    Slurm(String binDirectory, String slurmConf, Duration callLimit) {
        this.bin = binDirectory == null ? "" : binDirectory.endsWith("/") ? binDirectory : binDirectory + "/";
        this.callLimit = callLimit;
        System.getenv().keySet().forEach(k -> env.put(k, null)); // null removes it (zt-exec)
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"
                + (System.getenv("PATH") != null ? ":" + System.getenv("PATH") : ""));
        String conf = slurmConf != null ? slurmConf : System.getenv("SLURM_CONF");
        if (conf != null) {
            env.put("SLURM_CONF", conf);
        }
    }

    /** @return how many squeue calls were made (for tests: one per poll, whatever the number of jobs) */
    long squeueCalls() {
        return squeueCalls.get();
    }

    Result run(String command, List<String> args) throws IOException {
        if (command.equals("squeue")) {
            squeueCalls.incrementAndGet();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(bin + command);
        cmd.addAll(args);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            ProcessResult r = new ProcessExecutor(cmd).environment(env).readOutput(true).redirectError(err)
                    .redirectInput(java.io.InputStream.nullInputStream()).exitValueAny()
                    .timeout(callLimit.toMillis(), TimeUnit.MILLISECONDS).execute();
            return new Result(r.getExitValue(), r.outputUTF8(), err.toString(StandardCharsets.UTF_8).trim());
        } catch (TimeoutException e) {
            throw new IOException("'" + command + "' did not answer within " + callLimit.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running '" + command + "'", e);
        } catch (IOException e) {
            throw new IOException("could not run '" + bin + command + "' (" + e.getMessage()
                    + "); install Slurm's client commands (Debian: apt-get install slurm-client) or set "
                    + "SlurmBackend.builder().binDirectory(...)", e);
        }
    }
}
