package io.github.bgtasks.ssh.internal;

import io.github.bgtasks.spi.LogStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The tasks' logs, on their hosts: {@code <directory>/<host>/<name>.<n>.log}, mode 0600, where
 * {@code <host>} is the host's name made safe for a file name. A log is read over the host's
 * connection in chunks. Run numbers are counted across all hosts, so that ids stay unique.
 * This class is thread-safe.
 */
public final class RemoteLogs implements LogStore {
    private static final int CHUNK = 1 << 20;

    private final Path directory;
    private final Map<Path, RemoteHost> hostsByDir;
    private final Function<String, RemoteHost> placement;
    private final Map<String, Integer> nextRun = new ConcurrentHashMap<>();

    /**
     * @param directory the log directory on the hosts, or {@code null} for {@code logs} in each host's base directory
     * @param hosts the hosts
     * @param placement the host of a task about to start, by the task's name
     */
    public RemoteLogs(Path directory, List<RemoteHost> hosts, Function<String, RemoteHost> placement) {
        this.directory = directory != null ? directory : Path.of(hosts.get(0).base(), "logs");
        Map<Path, RemoteHost> m = new ConcurrentHashMap<>();
        for (RemoteHost h : hosts) {
            m.put(directoryOf(directory, h), h);
        }
        this.hostsByDir = m;
        this.placement = placement;
    }

    private static Path directoryOf(Path configured, RemoteHost h) {
        Path root = configured != null ? configured : Path.of(h.base(), "logs");
        return root.resolve(h.destination().replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    @Override
    public Path directory() {
        return directory;
    }

    @Override
    public Path create(String name) throws IOException {
        RemoteHost h = placement.apply(name);
        Path dir = hostsByDir.entrySet().stream().filter(e -> e.getValue() == h).findFirst().orElseThrow().getKey();
        int first = nextRun.getOrDefault(name, 1);
        String n = h.ssh().text(Scripts.LOG_CREATE, List.of(dir.toString(), name, Integer.toString(first)),
                h.callLimit()).trim();
        int run = Integer.parseInt(n);
        nextRun.merge(name, run + 1, Math::max);
        return dir.resolve(name + "." + run + ".log");
    }

    @Override
    public void reserveRun(String name, String id) {
        try {
            nextRun.merge(name, Integer.parseInt(id.substring(id.lastIndexOf('.') + 1)) + 1, Math::max);
        } catch (RuntimeException e) {
            // not a run number of ours
        }
    }

    @Override
    public void delete(Path log) {
        RemoteHost h = hostsByDir.get(log.getParent());
        if (h != null) {
            try {
                h.ssh().run(Scripts.DELETE, List.of(log.toString()), new byte[0], h.callLimit());
            } catch (IOException e) {
                // ignored, as the SPI says
            }
        }
    }

    @Override
    public SeekableByteChannel read(Path log) throws IOException {
        RemoteHost h = hostsByDir.get(log.getParent());
        if (h == null) {
            throw new NoSuchFileException(log.toString(), null, "not a log of this SSH backend");
        }
        return new RemoteLogChannel(h, log.toString());
    }

    /** Reads a log on its host: its size once, then chunks of up to 1 MiB as they are read. Not thread-safe. */
    private static final class RemoteLogChannel implements SeekableByteChannel {
        private final RemoteHost host;
        private final String log;
        private long position;
        private long size = -1;
        private byte[] chunk = new byte[0];
        private long chunkAt;
        private boolean open = true;

        RemoteLogChannel(RemoteHost host, String log) {
            this.host = host;
            this.log = log;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            ensureOpen();
            if (position >= size()) {
                return -1;
            }
            if (position < chunkAt || position >= chunkAt + chunk.length) {
                int want = (int) Math.min(Math.max(dst.remaining(), CHUNK), size() - position);
                chunk = run(Scripts.LOG_READ, Long.toString(position), Integer.toString(want));
                chunkAt = position;
                if (chunk.length == 0) {
                    return -1;
                }
            }
            int from = (int) (position - chunkAt);
            int n = Math.min(dst.remaining(), chunk.length - from);
            dst.put(chunk, from, n);
            position += n;
            return n;
        }

        private byte[] run(String script, String... args) throws IOException {
            List<String> a = new java.util.ArrayList<>(List.of(log));
            a.addAll(List.of(args));
            try {
                return host.ssh().run(script, a, new byte[0], host.callLimit());
            } catch (SshException e) {
                if (e.status() == 2) {
                    throw new NoSuchFileException(log, null, "on " + host.destination());
                }
                throw e;
            }
        }

        @Override
        public int write(ByteBuffer src) {
            throw new NonWritableChannelException();
        }

        @Override
        public long position() throws IOException {
            ensureOpen();
            return position;
        }

        @Override
        public SeekableByteChannel position(long newPosition) throws IOException {
            ensureOpen();
            this.position = newPosition;
            return this;
        }

        @Override
        public long size() throws IOException {
            ensureOpen();
            if (size < 0) {
                size = Long.parseLong(new String(run(Scripts.LOG_SIZE), StandardCharsets.UTF_8).trim());
            }
            return size;
        }

        @Override
        public SeekableByteChannel truncate(long s) {
            throw new NonWritableChannelException();
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }

        private void ensureOpen() throws ClosedChannelException {
            if (!open) {
                throw new ClosedChannelException();
            }
        }
    }
}
