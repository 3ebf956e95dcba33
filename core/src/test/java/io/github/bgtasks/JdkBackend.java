package io.github.bgtasks;

import io.github.bgtasks.spi.Backend;
import io.github.bgtasks.spi.BackendTask;
import io.github.bgtasks.spi.ExitStatus;
import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal backend on {@link ProcessBuilder}, for the core's tests that need a real process
 * writing a real log file (a full disk). It signals only the task's own process, not its tree,
 * so it is no substitute for the real backends and their suites.
 */
final class JdkBackend implements Backend {
    final AtomicInteger launches = new AtomicInteger();

    @Override
    public String name() {
        return "jdk";
    }

    @Override
    public BackendTask launch(Launch launch) throws IOException {
        launches.incrementAndGet();
        ProcessBuilder pb = new ProcessBuilder(launch.argv()).directory(launch.workingDirectory().toFile())
                .redirectErrorStream(true).redirectOutput(Redirect.appendTo(launch.logFile().toFile()));
        pb.environment().clear();
        pb.environment().putAll(launch.environment());
        Process p = pb.start();
        CompletableFuture<ExitStatus> exit = p.onExit().thenApply(done -> {
            int v = done.exitValue(); // the JDK reports a signal as 128 + its number
            return v > 128 ? ExitStatus.signaled(v - 128) : ExitStatus.exited(v);
        });
        return new BackendTask() {
            @Override
            public Launch launch() {
                return launch;
            }

            @Override
            public OptionalLong pid() {
                return OptionalLong.of(p.pid());
            }

            @Override
            public CompletableFuture<ExitStatus> exit() {
                return exit;
            }

            @Override
            public void terminate() {
                p.destroy();
            }

            @Override
            public void kill() {
                p.destroyForcibly();
            }

            @Override
            public void send(byte[] bytes) throws IOException {
                p.getOutputStream().write(bytes);
                p.getOutputStream().flush();
            }

            @Override
            public void closeInput() throws IOException {
                p.getOutputStream().close();
            }
        };
    }

    @Override
    public void close() {
    }
}
