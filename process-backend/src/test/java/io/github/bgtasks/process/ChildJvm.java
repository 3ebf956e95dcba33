package io.github.bgtasks.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A child JVM running {@link ChildJvmMain} with the test class path, and what it printed. */
record ChildJvm(Process process, long helper, List<Long> taskPids, List<Path> logs) {

    /**
     * Starts {@link ChildJvmMain} (behind an optional wrapper, such as a shell that sets the
     * umask) and reads its output up to {@code ready}.
     *
     * @param dir where the child's logs and stderr go
     * @param started receives the process at once, so that the caller can always kill it
     */
    static ChildJvm start(Path dir, List<Process> started, List<String> wrapper, String mode, String... tasks)
            throws Exception {
        List<String> args = new ArrayList<>(List.of(dir.resolve("child").resolve("logs").toString(), mode));
        args.addAll(List.of(tasks));
        return start(dir, started, wrapper, ChildJvmMain.class, args);
    }

    /**
     * Starts another main class that prints as {@link ChildJvmMain} does
     * ({@code helper <pid>}, {@code task <id> <pid> <log file>}, {@code ready}).
     */
    static ChildJvm start(Path dir, List<Process> started, List<String> wrapper, Class<?> main, List<String> args)
            throws Exception {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(args);
        Path stderr = dir.resolve("child-stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        started.add(p);
        CompletableFuture<ChildJvm> read = CompletableFuture.supplyAsync(() -> {
            List<Long> pids = new ArrayList<>();
            List<Path> logs = new ArrayList<>();
            long helper = -1;
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    String[] f = line.split(" ");
                    if (line.equals("ready")) {
                        return new ChildJvm(p, helper, pids, logs);
                    } else if (f[0].equals("helper")) {
                        helper = Long.parseLong(f[1]);
                    } else if (f[0].equals("task")) {
                        pids.add(Long.parseLong(f[2]));
                        logs.add(Path.of(f[3]));
                    }
                }
                throw new AssertionError("the child JVM ended before it was ready; its stderr:\n" + read(stderr));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            return read.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the child JVM did not get ready; its stderr:\n" + read(stderr), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
