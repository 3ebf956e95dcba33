# bgtasks spawner: starts and reaps the tasks of one process backend.
#
# The JVM runs one of these per backend and talks to it through pipes, one line per message,
# every free-form field sent as 'h' + hex. Tasks are this process's children, not the JVM's, so the
# JVM needs no thread per task: exits arrive here as SIGCHLD and go back as one line each.
#
# Requests (stdin):  S id grace_ms cwd log nset name=value... nunset name... nargv argv...
#                                        start a task; the environment is ours with these changes
#                    K id signal         signal the task's process group and session
#                    I id bytes          write to the task's stdin     C id   close its stdin
#                    F id                forget a finished task        Q      quit, leave tasks
# Replies (stdout):  s id pid            started       f id message    could not start
#                    x id e code | x id k signal       the task's own process ended
#                    w message           a warning for the JVM's log
# End of stdin without Q means the JVM is gone: stop every task (TERM, grace, KILL), then exit.
#
# The helper is a child subreaper (Linux): what a task leaves behind when its own process ends
# is re-parented here, not to init, so it is found in our own list of children (no scan of the
# machine), ended after the task's grace period, and reaped (no zombies, even under an init that
# does not reap).
use strict;
use warnings;
use POSIX qw(WNOHANG setsid);
use Fcntl qw(O_WRONLY O_APPEND O_NOFOLLOW F_GETFL F_SETFL O_NONBLOCK);
use IO::Poll qw(POLLIN POLLOUT);
use Time::HiRes qw(time);
use Config;

$/ = "\n"; # the loader read this script with another separator

my (%tasks, %by_pid, @timers);
my %leftovers;     # pid of an adopted leftover (our unreaped child, so its pid cannot be reused) => 1
my %escapees;      # pid of an adopted process that left its session => pids of the tasks then running
my %grace_by_sid;  # a task's pid (= its session id) => its grace period in seconds
my $max_grace = 0;
my ($requests, $quit, $eof) = ('', 0, 0);
my $procs; # one scan of /proc, shared by everything done in one turn of the main loop

# Away from the JVM's terminal: Ctrl-C reaches the JVM, whose shutdown stops the tasks in order.
setsid();
$SIG{$_} = 'IGNORE' for qw(INT HUP QUIT TSTP TTIN TTOU PIPE);
my %PRCTL = ('x86_64' => 157, 'aarch64' => 167, 'riscv64' => 167, 'i386' => 172, 'i686' => 172,
    'arm' => 172, 'powerpc64' => 171, 'powerpc64le' => 171, 's390x' => 172);
my ($arch) = $Config{archname} =~ /^([^-]+)/;
my $subreaper = $^O eq 'linux' && $PRCTL{$arch} && -r "/proc/$$/task/$$/children"
    && syscall($PRCTL{$arch}, 36, 1, 0, 0, 0) == 0; # prctl(PR_SET_CHILD_SUBREAPER, 1)
pipe(my $wake_r, my $wake_w) or die "pipe: $!";
nonblocking($_) for $wake_r, $wake_w, \*STDIN;
$SIG{CHLD} = sub { syswrite($wake_w, 'c') };

sub nonblocking {
    my $fh = shift;
    fcntl($fh, F_SETFL, fcntl($fh, F_GETFL, 0) | O_NONBLOCK) or die "fcntl: $!";
}
sub unhex { return pack('H*', substr(shift, 1)) } # fields are 'h' + hex, so none is empty
sub emit {
    my $line = join(' ', @_) . "\n";
    while (length $line) { # a lost line would be a task that never ends: retry what a signal cut short
        my $n = syswrite(STDOUT, $line);
        if (defined $n) { substr($line, 0, $n) = ''; next; }
        return unless $!{EINTR}; # the JVM is gone
    }
}
sub warn_jvm { emit('w', unpack('H*', shift)) }

sub start_task {
    my ($id, $grace, $cwd, $log, $set, $unset, $argv) = @_;
    pipe(my $status_r, my $status_w) or return emit('f', $id, unpack('H*', "pipe: $!"));
    pipe(my $in_r, my $in_w) or return emit('f', $id, unpack('H*', "pipe: $!"));
    my $pid = fork();
    return emit('f', $id, unpack('H*', "fork: $!")) unless defined $pid;
    if ($pid == 0) {
        close $status_r;
        close $in_w;
        eval {
            $SIG{$_} = 'DEFAULT' for qw(CHLD PIPE INT HUP QUIT TSTP TTIN TTOU TERM);
            POSIX::sigprocmask(POSIX::SIG_SETMASK(), POSIX::SigSet->new());
            defined setsid() or die "setsid failed: $!\n";
            chdir($cwd) or die "cannot change to working directory $cwd: $!\n";
            sysopen(my $out, $log, O_WRONLY | O_APPEND | O_NOFOLLOW) or die "cannot open log file $log: $!\n";
            defined POSIX::dup2(fileno($out), 1) and defined POSIX::dup2(fileno($out), 2)
                and defined POSIX::dup2(fileno($in_r), 0) or die "dup2 failed: $!\n";
            delete @ENV{@$unset};
            @ENV{keys %$set} = values %$set;
            no warnings 'exec';
            exec { $argv->[0] } @$argv;
            die "cannot execute $argv->[0]: $!\n";
        };
        my $why = $@ || "unknown failure\n";
        chomp $why;
        syswrite($status_w, $why);
        POSIX::_exit(127);
    }
    close $status_w;
    close $in_r;
    # The status pipe closes on exec (close-on-exec), or carries the reason exec failed.
    my $why = '';
    while (1) {
        my $n = sysread($status_r, $why, 4096, length $why);
        last if defined $n && $n == 0;
        next if !defined $n && $!{EINTR};
        last unless defined $n;
    }
    close $status_r;
    if (length $why) {
        close $in_w;
        waitpid($pid, 0);
        return emit('f', $id, unpack('H*', $why));
    }
    nonblocking($in_w);
    $tasks{$id} = { pid => $pid, in => $in_w, queue => '', grace => $grace / 1000 };
    $by_pid{$pid} = $id;
    $grace_by_sid{$pid} = $grace / 1000;
    $max_grace = $grace / 1000 if $grace / 1000 > $max_grace;
    emit('s', $id, $pid);
}

# Every live process as [pid, ppid, pgid, sid], and the processes by parent, from one pass over
# /proc per turn of the main loop (a kill storm costs one pass, not one per task). Zombies are
# skipped: they are dead, only not yet reaped.
sub processes {
    return @$procs if $procs;
    my (@all, %kids);
    opendir(my $proc, '/proc') or return ([], {});
    for my $p (grep { /^\d+$/ } readdir $proc) {
        open(my $fh, '<', "/proc/$p/stat") or next;
        my $stat = <$fh> // next;
        $stat =~ /\)\s+(\S)\S*\s+(\d+)\s+(\d+)\s+(\d+)/ or next;
        next if $1 eq 'Z';
        my $e = [$p, $2, $3, $4];
        push @all, $e;
        push @{ $kids{$2} }, $e;
    }
    $procs = [\@all, \%kids];
    return @$procs;
}

# What is left of a task, from one pass over /proc, skipping zombies (dead, only not yet reaped).
# Returns how many of its processes still run, then those a signal to its process group misses:
# members of its session (pid = pgid = sid) that left the group (setpgid), and descendants of its
# processes that left the session (setsid), as long as their parent still runs.
sub scan_tree {
    my $sid = shift;
    my ($all, $kids) = processes();
    my @members = grep { $_->[3] == $sid } @$all;
    my @strays = map { $_->[0] } grep { $_->[2] != $sid } @members;
    my %seen = map { $_->[0] => 1 } @members;
    my @todo = map { $_->[0] } @members; # never from a bare pid: it may have been reused
    while (defined(my $p = shift @todo)) {
        for my $k (@{ $kids->{$p} || [] }) {
            next if $seen{$k->[0]}++;
            push @strays, $k->[0]; # left the session: only its pid reaches it
            push @todo, $k->[0];
        }
    }
    return (@members + @strays, @strays);
}

sub session_strays { my (undef, @strays) = scan_tree(shift); return @strays }

# Whether anything of the task still runs: its group, or strays.
sub tree_alive { my $t = shift; my ($alive) = scan_tree($t->{pid}); return $alive }

sub signal_tree {
    my ($t, $sig) = @_;
    my @targets = (-$t->{pid}, session_strays($t->{pid}));
    kill $sig, @targets;
    kill 'CONT', @targets if $sig ne 'KILL' && $sig ne '9'; # stopped processes act on TERM only after CONT
}

sub close_input {
    my $t = shift;
    close $t->{in} if $t->{in};
    $t->{in} = undef;
    $t->{queue} = '';
}

sub flush_input {
    my $t = shift;
    return unless $t->{in};
    while (length $t->{queue}) {
        my $n = syswrite($t->{in}, $t->{queue});
        if (defined $n) { substr($t->{queue}, 0, $n) = ''; next; }
        return if $!{EAGAIN} || $!{EINTR};
        close_input($t); # EPIPE: the task closed its stdin
        return;
    }
    close_input($t) if $t->{close_after};
}

sub reap {
    1 while sysread($wake_r, my $buf, 512);
    my $reaped = 0;
    while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
        my $status = $?;
        $reaped = 1;
        delete $leftovers{$pid};
        delete $escapees{$pid};
        my $id = delete $by_pid{$pid} // next; # else an adopted leftover: reaped, nothing to report
        my $t = $tasks{$id};
        $t->{done} = 1;
        close_input($t);
        emit('x', $id, ($status & 127) ? ('k', $status & 127) : ('e', $status >> 8));
        # Leftovers of a finished task (background children) are part of it: end them too.
        if (!$subreaper && kill(0, -$pid)) {
            signal_tree($t, 'TERM');
            push @timers, [time + $t->{grace}, sub { signal_tree($t, 'KILL') }, sub { tree_alive($t) }];
        }
    }
    end_leftovers() if $reaped && $subreaper;
}

# Our children that are not tasks were left behind by tasks whose processes ended (or are a
# running task's double-forked helpers). Once the task they belong to has ended: SIGTERM (and
# SIGCONT) to each one's process group, SIGKILL after the task's grace period unless it is gone.
sub end_leftovers {
    open(my $fh, '<', "/proc/$$/task/$$/children") or return;
    for my $pid (split ' ', <$fh> // '') {
        next if $by_pid{$pid} || $leftovers{$pid};
        open(my $st, '<', "/proc/$pid/stat") or next;
        (<$st> // '') =~ /\)\s+(\S)\S*\s+\d+\s+(\d+)\s+(\d+)/ or next;
        next if $1 eq 'Z';
        my ($pgid, $sid) = ($2, $3);
        next if $by_pid{$sid}; # in the session of a task that still runs: part of it
        if (!exists $grace_by_sid{$sid}) {
            # It left its session, so it belongs to one of the tasks running when it was adopted.
            my $owners = $escapees{$pid} //= [grep { $by_pid{$_} } keys %by_pid];
            next if grep { $by_pid{$_} } @$owners;
            delete $escapees{$pid};
        }
        $leftovers{$pid} = 1;
        kill 'TERM', -$pgid, $pid;
        kill 'CONT', -$pgid, $pid;
        push @timers, [time + ($grace_by_sid{$sid} // $max_grace),
            sub { kill 'KILL', -$pgid, $pid if $leftovers{$pid} }, sub { $leftovers{$pid} }];
    }
}

sub handle {
    my @f = split / /, shift;
    my $op = shift @f // return;
    if ($op eq 'S') {
        my ($id, $grace, $cwd, $log) = (shift @f, shift @f, unhex(shift @f), unhex(shift @f));
        my %set = map { split(/=/, unhex($_), 2) } splice(@f, 0, shift @f);
        my @unset = map { unhex($_) } splice(@f, 0, shift @f);
        my @argv = map { unhex($_) } splice(@f, 0, shift @f);
        start_task($id, $grace, $cwd, $log, \%set, \@unset, \@argv);
        return;
    }
    if ($op eq 'Q') { $quit = 1; return; }
    my $t = $tasks{$f[0] // ''} // return;
    if ($op eq 'K') {
        signal_tree($t, $f[1]) if !$t->{done} || tree_alive($t);
    } elsif ($op eq 'I') {
        $t->{queue} .= unhex($f[1] // '');
        flush_input($t);
    } elsif ($op eq 'C') {
        $t->{close_after} = 1;
        flush_input($t);
    } elsif ($op eq 'F') {
        delete $grace_by_sid{$t->{pid}} if $t->{done} && delete $tasks{$f[0]};
    }
}

sub read_requests {
    while (1) {
        my $n = sysread(STDIN, $requests, 65536, length $requests);
        if (!defined $n) { return if $!{EAGAIN} || $!{EINTR}; $n = 0; }
        if ($n == 0) { $eof = 1; return; }
        while ((my $nl = index($requests, "\n")) >= 0) {
            handle(substr($requests, 0, $nl));
            substr($requests, 0, $nl + 1) = '';
        }
    }
}

sub stop_all {
    my @live = grep { !$_->{done} } values %tasks;
    my $grace = 0;
    for my $t (@live) {
        signal_tree($t, 'TERM');
        $grace = $t->{grace} if $t->{grace} > $grace;
    }
    my $deadline = time + $grace;
    while (time < $deadline && grep { !$_->{done} } @live) {
        IO::Poll->new->poll(0.05); # woken early by SIGCHLD
        reap();
    }
    $procs = undef;
    signal_tree($_, 'KILL') for grep { !$_->{done} || tree_alive($_) } @live;
    reap();
}

emit('ready', $$);
while (1) {
    $procs = undef;
    my $poll = IO::Poll->new;
    $poll->mask(\*STDIN => POLLIN) unless $eof || $quit;
    $poll->mask($wake_r => POLLIN);
    $poll->mask($_->{in} => POLLOUT) for grep { $_->{in} && length $_->{queue} } values %tasks;
    @timers = sort { $a->[0] <=> $b->[0] } @timers;
    my $timeout = @timers ? ($timers[0][0] - time > 0 ? $timers[0][0] - time : 0) : undef;
    $timeout = 0.05 if $quit && (!defined $timeout || $timeout > 0.05); # quitting: watch leftovers end
    # Perl runs signal handlers between statements, so a SIGCHLD just before poll(2) is only
    # handled when poll returns: bound the wait while tasks run, so such an exit is late, not lost.
    $timeout = 0.1 if %by_pid && (!defined $timeout || $timeout > 0.1);
    $poll->poll($timeout);
    reap();
    read_requests() unless $eof || $quit;
    flush_input($_) for grep { $_->{in} && length $_->{queue} } values %tasks;
    while (@timers && $timers[0][0] <= time) { (shift @timers)->[1]->(); }
    # Q is always followed by the end of stdin: stop_all only when the JVM left without Q.
    if ($eof && !$quit) { stop_all(); $quit = 1; }
    if ($quit) {
        # Finish ending the leftovers of finished tasks first: each is one grace period away at most.
        @timers = grep { $_->[2]->() } @timers;
        exit 0 unless @timers;
    }
}
