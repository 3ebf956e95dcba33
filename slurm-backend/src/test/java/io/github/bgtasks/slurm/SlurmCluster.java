package io.github.bgtasks.slurm;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real single-node Slurm cluster (Debian's slurm-wlm with munge) for the whole test run: the
 * first test class that uses it starts munged, slurmctld and slurmd with {@code scripts/slurm-up}
 * on free ports in a private directory; {@code scripts/slurm-down} stops exactly those daemons
 * (by their pid files) when the run ends. Skips when Slurm is not installed or cannot start,
 * except on CI ({@code CI=true}), where that fails.
 */
public final class SlurmCluster implements BeforeAllCallback, ExtensionContext.Store.CloseableResource, AutoCloseable {
    private static SlurmCluster running;
    private static String failure;

    private final Path dir;
    private final Path scripts;

    private SlurmCluster(Path dir, Path scripts) {
        this.dir = dir;
        this.scripts = scripts;
    }

    /** For {@code @ExtendWith}: starts the cluster once per JVM. */
    public SlurmCluster() {
        this(null, null);
    }

    /** @return the running cluster (after {@link #beforeAll}) */
    public static SlurmCluster get() {
        return running;
    }

    /** @return the cluster's slurm.conf */
    public Path conf() {
        return dir.resolve("slurm.conf");
    }

    /** @return a builder for a backend of this cluster, polling often (tests) */
    public SlurmBackend.Builder backend() {
        return SlurmBackend.builder().slurmConf(conf()).pollInterval(java.time.Duration.ofMillis(200));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (SlurmCluster.class) {
            if (running == null && failure == null) {
                try {
                    running = start();
                    context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(SlurmCluster.class, running);
                } catch (IOException | RuntimeException e) {
                    failure = e.getMessage();
                }
            }
            if (failure != null) {
                if ("true".equals(System.getenv("CI"))) {
                    throw new AssertionError("the Slurm cluster is required on CI and did not start: " + failure);
                }
                Assumptions.abort("no Slurm cluster: " + failure);
            }
        }
    }

    private static SlurmCluster start() throws IOException, InterruptedException {
        Path scripts = Path.of("").toAbsolutePath();
        while (scripts != null && !Files.isExecutable(scripts.resolve("scripts/slurm-up"))) {
            scripts = scripts.getParent();
        }
        if (scripts == null) {
            throw new IllegalStateException("scripts/slurm-up was not found above " + Path.of("").toAbsolutePath());
        }
        scripts = scripts.resolve("scripts");
        if (!Files.isExecutable(Path.of("/usr/sbin/slurmctld")) || !Files.isExecutable(Path.of("/usr/sbin/munged"))) {
            throw new IllegalStateException("slurm-wlm and munge are not installed; run scripts/setup");
        }
        Path dir = Files.createTempDirectory("bgt-slurm-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        SlurmCluster c = new SlurmCluster(dir, scripts);
        Process p = new ProcessBuilder(scripts.resolve("slurm-up").toString(), dir.toString(),
                String.valueOf(freePort()), String.valueOf(freePort()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("slurm-up.out").toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            String out = Files.readString(dir.resolve("slurm-up.out"), StandardCharsets.UTF_8);
            c.close();
            throw new IllegalStateException("scripts/slurm-up failed: " + out);
        }
        return c;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Stops the daemons this fixture started (by their pid files) and deletes its directory. */
    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder(scripts.resolve("slurm-down").toString(), dir.toString()).inheritIO().start()
                .waitFor(1, TimeUnit.MINUTES);
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
