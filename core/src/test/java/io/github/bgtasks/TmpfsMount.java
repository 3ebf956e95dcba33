package io.github.bgtasks;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small tmpfs mounted for one test (root only: skipped elsewhere), unmounted by {@link #close()}. */
final class TmpfsMount implements AutoCloseable {
    private final Path dir;

    private TmpfsMount(Path dir) {
        this.dir = dir;
    }

    /**
     * Mounts a tmpfs on a new directory, or skips the test if mounting is not permitted.
     *
     * @param options mount options, such as {@code size=1m,mode=0700}
     */
    static TmpfsMount mount(Path dir, String options) throws IOException {
        Files.createDirectories(dir);
        Run r = run("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString());
        assumeTrue(r.code == 0, "mounting a tmpfs is not permitted here: " + r.output);
        return new TmpfsMount(dir);
    }

    Path path() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        Run r = run("umount", dir.toString());
        if (r.code != 0) {
            // Busy (a process of a failed test still holds a file): detach it, so it goes when freed.
            Run lazy = run("umount", "-l", dir.toString());
            if (lazy.code != 0) {
                throw new IOException("could not unmount " + dir + ": " + r.output + " / " + lazy.output);
            }
        }
    }

    private record Run(int code, String output) {
    }

    private static Run run(String... command) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Run(-1, e.toString()); // no mount(8): not permitted either
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            return new Run(p.waitFor(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
    }
}
