package io.github.bgtasks.slurm;

import io.github.bgtasks.spi.Launch;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The backend's state directory (mode 0700, on a file system that the compute nodes share):
 * the constant batch script, one record per job (what was launched and the job id, so that a
 * later JVM finds the job again), and one environment file per job, written with mode 0600 and
 * deleted by the job as soon as it has read it.
 */
final class JobStore {
    /**
     * The batch script, the same for every job. It takes the log file, the environment file and
     * the working directory, then the task's argv, all as arguments (sbatch passes them as an
     * array: nothing is interpreted by a shell), and then in Perl: sends stdout and stderr to
     * the log, reads the NUL-separated environment, keeps Slurm's own SLURM_* job variables that
     * the task does not set, changes directory, and runs the program in a process group of its
     * own. It forwards SIGTERM (with SIGCONT) to that group, turns SIGUSR2 into SIGKILL for the
     * group (Slurm turns a SIGKILL sent with scancel into a cancel with SIGTERM first and
     * SIGKILL only after its KillWait), and ends the way the program ended: the same exit code,
     * or killed by the same signal, so that Slurm records the program's own status.
     */
    static final String SCRIPT = """
            #!/bin/sh
            # bgtasks-slurm batch script: $1 log file, $2 environment file, $3 working directory, then argv.
            exec perl -e '
            my ($pid, $pending);
            $SIG{TERM} = sub { if ($pid) { kill("TERM", -$pid); kill("CONT", -$pid); } else { $pending = "TERM"; } };
            $SIG{USR2} = sub { if ($pid) { kill("KILL", -$pid); } else { $pending = "KILL"; } };
            my ($log, $envfile, $dir) = splice(@ARGV, 0, 3);
            open(STDOUT, ">>", $log) or die "bgtasks: cannot open the log $log: $!\\n";
            open(STDERR, ">&", \\*STDOUT) or die "bgtasks: cannot send stderr to the log: $!\\n";
            select(STDERR); $| = 1; select(STDOUT); $| = 1;
            open(STDIN, "<", "/dev/null");
            my %env;
            {
                local $/ = "\\0";
                open(my $in, "<", $envfile) or do { print STDERR "bgtasks: cannot read the environment file $envfile: $!\\n"; exit 126 };
                while (my $kv = <$in>) { chomp $kv; my ($k, $v) = split(/=/, $kv, 2); $env{$k} = $v if defined $v; }
                close($in);
                unlink($envfile);
            }
            for my $k (grep { /^SLURM_/ } keys %ENV) { $env{$k} = $ENV{$k} unless exists $env{$k}; }
            chdir($dir) or do { print STDERR "bgtasks: cannot change to the working directory $dir: $!\\n"; exit 126 };
            my $child = fork();
            defined($child) or do { print STDERR "bgtasks: cannot fork: $!\\n"; exit 126 };
            if ($child == 0) {
                setpgrp(0, 0);
                $SIG{TERM} = "DEFAULT"; $SIG{USR2} = "DEFAULT";
                %ENV = %env;
                exec { $ARGV[0] } @ARGV;
                print STDERR "bgtasks: cannot run $ARGV[0]: $!\\n";
                exit($!{ENOENT} ? 127 : 126);
            }
            setpgrp($child, $child);
            $pid = $child;
            if ($pending) { kill($pending, -$pid); kill("CONT", -$pid); }
            my $r;
            do { $r = waitpid($pid, 0); } while ($r == -1 && $!{EINTR});
            my $status = $?;
            exit($status >> 8) unless $status & 127;
            my $sig = $status & 127;
            $SIG{TERM} = "DEFAULT"; $SIG{USR2} = "DEFAULT";
            kill($sig, $$);
            exit(128 + $sig);
            ' -- "$@"
            """;

    private final Path dir;
    private final Path script;

    JobStore(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        if (!Files.isWritable(dir)) {
            throw new IOException("state directory " + dir + " is not writable");
        }
        this.script = dir.resolve("bgtasks-job.sh");
        Path tmp = Files.createTempFile(dir, "script", ".tmp");
        Files.writeString(tmp, SCRIPT);
        Files.move(tmp, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    Path directory() {
        return dir;
    }

    Path script() {
        return script;
    }

    Path envFile(String id) {
        return dir.resolve(id + ".env");
    }

    Path record(String id) {
        return dir.resolve(id + ".job");
    }

    /** Writes the task's environment, NUL-separated, readable by the owner only. */
    Path writeEnvironment(Launch l) throws IOException {
        Path f = envFile(l.id());
        Files.deleteIfExists(f);
        Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (SeekableByteChannel ch = Files.newByteChannel(f, StandardOpenOption.WRITE);
                Writer w = java.nio.channels.Channels.newWriter(ch, StandardCharsets.UTF_8)) {
            for (Map.Entry<String, String> e : l.environment().entrySet()) {
                w.write(e.getKey());
                w.write('=');
                w.write(e.getValue());
                w.write('\0');
            }
        }
        return f;
    }

    /** Writes (or rewrites, atomically) the record of a launch and, once known, its job id. */
    void writeRecord(Launch l, String jobId) throws IOException {
        Properties p = new Properties();
        p.setProperty("id", l.id());
        p.setProperty("name", l.name());
        for (int i = 0; i < l.argv().size(); i++) {
            p.setProperty("argv." + i, l.argv().get(i));
        }
        p.setProperty("dir", l.workingDirectory().toString());
        p.setProperty("log", l.logFile().toString());
        p.setProperty("startedAt", l.startedAt().toString());
        l.timeout().ifPresent(t -> p.setProperty("timeout", t.toString()));
        p.setProperty("grace", l.stopGracePeriod().toString());
        if (jobId != null) {
            p.setProperty("jobId", jobId);
        }
        Path tmp = Files.createTempFile(dir, "record", ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "bgtasks-slurm job record");
        }
        Files.move(tmp, record(l.id()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A record read back: the launch (without its environment) and the job id, or {@code null} if the submission did not finish. */
    record Found(Launch launch, String jobId) {
    }

    List<Found> records() throws IOException {
        List<Found> found = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.job")) {
            for (Path f : s) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                    p.load(r);
                }
                List<String> argv = new ArrayList<>();
                for (int i = 0; p.containsKey("argv." + i); i++) {
                    argv.add(p.getProperty("argv." + i));
                }
                Launch l = Launch.builder(p.getProperty("id"), p.getProperty("name"), argv)
                        .workingDirectory(Path.of(p.getProperty("dir")))
                        .logFile(Path.of(p.getProperty("log")))
                        .startedAt(Instant.parse(p.getProperty("startedAt")))
                        .timeout(p.containsKey("timeout") ? Duration.parse(p.getProperty("timeout")) : null)
                        .stopGracePeriod(Duration.parse(p.getProperty("grace")))
                        .build();
                found.add(new Found(l, p.getProperty("jobId")));
            }
        }
        return found;
    }

    /** Forgets a job: its record and, if the job never read it, its environment file. */
    void delete(String id) {
        try {
            Files.deleteIfExists(record(id));
            Files.deleteIfExists(envFile(id));
        } catch (IOException e) {
            // best effort: a stale record is found again and reported lost by a later instance
        }
    }
}
