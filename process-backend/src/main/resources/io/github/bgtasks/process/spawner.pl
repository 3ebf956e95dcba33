# bgtasks spawner: starts and reaps the tasks of one process backend.
#
# The JVM runs one of these per backend and talks to it through pipes, one line per message,
# every free-form field sent as 'h' + hex. Tasks are this process's children, not the JVM's, so the
# JVM needs no thread per task: exits arrive here as SIGCHLD and go back as one line each.
#
# Requests (stdin):  S id grace_ms cwd log state timeout_ms nset name=value... nunset name... nargv argv...
#                                        start a task; the environment is ours with these changes;
#                                        state is 'h' (empty) or the directory of a detached task
#                    K id signal         signal the task's processes; TERM and KILL start ending it
#                    I id bytes          write to the task's stdin     C id   close its stdin
#                    F id                forget a finished task        Q      quit, leave tasks
# Replies (stdout):  s id pid            started       f id message    could not start
#                    x id e code | x id k signal       the task's own process ended
#                    i id n              n bytes (decimal) of the task's input left our queue: written
#                                        to its stdin, or dropped because it closed its stdin, its
#                                        stdin was closed (C) or it ended; at most one line per task
#                                        per turn of the main loop. The JVM bounds the bytes it sent
#                                        and saw no 'i' for, which bounds our queue.
#                    w message           a warning for the JVM's log
#                    T                   we received SIGTERM: every task is being ended, and the
#                                        exits that follow are that, not the tasks' own ends
#
# Ending a task starts with the first of: K TERM or K KILL, the end of the task's own process, the
# JVM's death, SIGTERM to the helper. Everything of the task then gets SIGTERM and SIGCONT (stopped
# processes act on TERM only after CONT), and SIGKILL at one deadline: that start plus the task's
# grace period (at once for K KILL). What is found of the task later, such as a process re-parented
# here after its parent died, gets the same deadline, never a second grace period.
#
# End of stdin without Q means the JVM is gone; SIGTERM means the helper itself is being stopped.
# Either way every task is ended as above (but for detached tasks when the JVM is gone), and the
# helper exits once it has no child left: as a subreaper, that is once every process of every
# task is gone.
#
# Detached tasks (a state directory in S) outlive the JVM: the helper stays, after Q or the JVM's
# end, for as long as one of them runs, and only then. It records in the task's directory what a
# later JVM needs and cannot learn from anyone else: 'started' (pid and start time, in clock
# ticks after boot, against pid reuse) and 'exit' ('e code' or 'k signal', then ' timeout' if the
# helper ended it at its timeout_ms, which it enforces itself since no JVM may be there to).
# Each file is written whole under a temporary name and renamed, so a reader sees all or none.
#
# The helper is a child subreaper (Linux): what a task leaves behind when its own process ends
# is re-parented here, not to init, so it is found in our own list of children (no scan of the
# machine), ended with its task, and reaped (no zombies, even under an init that does not reap).
# Such a process is attributed to its task by the variable BGTASKS_TASK=<helper pid>.<task id>,
# which the helper puts into the environment of every task (after the task's own variables, so a
# task cannot set it) and which every process of the task inherits, whatever session or process
# group it moved to. A process that cleared its environment (env -i) or whose environment cannot be
# read (set-uid) is attributed by its session, and failing that, to the tasks that ran when it was
# re-parented: it is ended once each of them has ended.
#
# Not done on purpose: PR_SET_PDEATHSIG for tasks. It would kill a task's own process when the
# helper exits after Q, which must leave tasks running, and it reaches no other process of the task.
use strict;
use warnings;
use POSIX qw(WNOHANG setsid);
use Fcntl qw(O_WRONLY O_APPEND O_CREAT O_EXCL O_NOFOLLOW O_NOCTTY F_GETFL F_SETFL O_NONBLOCK :mode);
use IO::Poll qw(POLLIN POLLOUT);
use Time::HiRes qw(time);
use Config;

$/ = "\n"; # the loader read this script with another separator

my %tasks;    # id => { id, pid, in, queue, grace, done, deadline, adopted => { pid => 1 }, ... }
my %by_pid;   # the pid of a task's own process while it runs => its id
my %by_sid;   # a task's pid (= its session id) => its id, until the task is forgotten
my %adopted;  # pid of a re-parented child of ours (unreaped, so its pid cannot be reused)
              #     => the id of its task, or '' if it could not be attributed
my %unowned;  # pid of an adopted process that could not be attributed => ids of the tasks then running
my %orphans;  # pid of such a process being ended => its deadline
my %queued;   # id => task, for tasks with input waiting for their stdin to take it
my %acks;     # id => bytes of input that left the queue this turn (one 'i' line per task per turn)
my @timers;   # [when, action], sorted when $resort is set
my $resort = 0;
my $max_grace = 0;
my ($requests, $quit, $eof, $term, $stopping, $childless) = ('', 0, 0, 0, 0, 0);
my $helper = $$;
my ($procs, $looked); # per turn of the main loop: one scan of /proc, one look at our children
# Made here, once: made in each child after fork, these cost about 100 microseconds of every start (the
# child copies each page that perl touches, and the first SigSet->new loads code).
my ($SETMASK, $NO_SIGNALS) = (POSIX::SIG_SETMASK(), POSIX::SigSet->new());

# Away from the JVM's terminal: Ctrl-C reaches the JVM, whose shutdown stops the tasks in order.
setsid();
# Blocked, not ignored: a task must start with these signals' default actions, and an ignored signal
# stays ignored across exec, so a child would reset each (0.15 ms of every start: each %SIG store
# copies pages). A blocked signal is never acted on (a write to a closed pipe fails with EPIPE), and
# the child unblocks all with one call. CHLD and TERM have handlers, which exec resets. The default
# actions are set once here, after blocking: the JVM may have been started with some ignored.
POSIX::sigprocmask(POSIX::SIG_BLOCK(), POSIX::SigSet->new(POSIX::SIGINT(), POSIX::SIGHUP(), POSIX::SIGQUIT(),
    POSIX::SIGTSTP(), POSIX::SIGTTIN(), POSIX::SIGTTOU(), POSIX::SIGPIPE())) or die "sigprocmask: $!";
$SIG{$_} = 'DEFAULT' for qw(INT HUP QUIT TSTP TTIN TTOU PIPE);
my %PRCTL = ('x86_64' => 157, 'aarch64' => 167, 'riscv64' => 167, 'i386' => 172, 'i686' => 172,
    'arm' => 172, 'powerpc64' => 171, 'powerpc64le' => 171, 's390x' => 172);
my ($arch) = $Config{archname} =~ /^([^-]+)/;
my $subreaper = $^O eq 'linux' && $PRCTL{$arch} && -r "/proc/$$/task/$$/children"
    && syscall($PRCTL{$arch}, 36, 1, 0, 0, 0) == 0; # prctl(PR_SET_CHILD_SUBREAPER, 1)
pipe(my $wake_r, my $wake_w) or die "pipe: $!";
nonblocking($_) for $wake_r, $wake_w, \*STDIN;
$SIG{CHLD} = sub { syswrite($wake_w, 'c') };
$SIG{TERM} = sub { $term = 1; syswrite($wake_w, 't') };

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
sub fail { my ($id, $why) = @_; chomp $why; emit('f', $id, unpack('H*', $why)) }

sub kind {
    my $mode = shift;
    return S_ISFIFO($mode) ? 'a FIFO' : S_ISLNK($mode) ? 'a symbolic link' : S_ISDIR($mode) ? 'a directory'
        : S_ISCHR($mode) ? 'a character device' : S_ISBLK($mode) ? 'a block device'
        : S_ISSOCK($mode) ? 'a socket' : 'not a regular file';
}

# Opens a task's log here, before the fork, never blocking: a FIFO, a device or a link put in the
# log's place (by whoever else can write to its directory) is refused, and the task not started.
sub open_log {
    my $log = shift;
    my $why;
    if (sysopen(my $fh, $log, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK)) {
        my @st = stat($fh);
        if (!@st) {
            $why = "fstat failed: $!";
        } elsif (!S_ISREG($st[2])) {
            $why = 'it is ' . kind($st[2]) . ', not a regular file';
        } elsif ($st[4] != $>) {
            $why = "it is owned by uid $st[4], not by uid $>, which runs the tasks";
        } elsif (!fcntl($fh, F_SETFL, fcntl($fh, F_GETFL, 0) & ~O_NONBLOCK)) {
            $why = "fcntl failed: $!";
        } else {
            return $fh;
        }
    } else {
        my $err = "$!";
        my @st = lstat($log);
        $why = @st && !S_ISREG($st[2]) ? 'it is ' . kind($st[2]) . ', not a regular file' : $err;
    }
    die "cannot open log file $log: $why; it must be a regular file of ours"
        . " (was it replaced? check who else can write to its directory)\n";
}

# Writes a file of a detached task's state directory whole (see the header).
sub record {
    my ($t, $name, $text) = @_;
    my $dir = $t->{state};
    my $tmp = "$dir/.$name.tmp";
    unlink $tmp;
    my $fh;
    my $ok = sysopen($fh, $tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600)
        && defined(syswrite($fh, $text)) && close($fh) && rename($tmp, "$dir/$name");
    warn_jvm("could not record the $name of detached task $t->{id} in $dir: $!") unless $ok;
}

# The start time of a process, in clock ticks after boot (field 22 of its stat), or 0.
sub start_ticks {
    open(my $st, '<', "/proc/$_[0]/stat") or return 0;
    my ($rest) = (<$st> // '') =~ /\)\s+(.*)$/s or return 0;
    return (split ' ', $rest)[19] // 0;
}

sub start_task {
    my ($id, $grace, $cwd, $log, $state, $timeout, $set, $unset, $argv) = @_;
    my $out = eval { open_log($log) } or return fail($id, $@);
    pipe(my $status_r, my $status_w) or return fail($id, "pipe: $!");
    pipe(my $in_r, my $in_w) or return fail($id, "pipe: $!");
    my $pid = fork();
    return fail($id, "fork: $!") unless defined $pid;
    if ($pid == 0) { # each step here copies the pages it touches: this is on every start's path
        eval { # $status_r and $in_w close on exec (as every handle of ours above fd 2)
            POSIX::sigprocmask($SETMASK, $NO_SIGNALS); # see the blocked signals above
            defined setsid() or die "setsid failed: $!\n";
            chdir($cwd) or die "cannot change to working directory $cwd: $!\n";
            defined POSIX::dup2(fileno($out), 1) and defined POSIX::dup2(fileno($out), 2)
                and defined POSIX::dup2(fileno($in_r), 0) or die "dup2 failed: $!\n";
            delete @ENV{@$unset};
            @ENV{keys %$set} = values %$set;
            $ENV{BGTASKS_TASK} = "$helper.$id";
            no warnings 'exec';
            exec { $argv->[0] } @$argv;
            die "cannot execute $argv->[0]: $!\n";
        };
        my $why = $@ || "unknown failure\n";
        chomp $why;
        syswrite($status_w, $why);
        POSIX::_exit(127);
    }
    close $out;
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
        return fail($id, $why);
    }
    nonblocking($in_w);
    my $t = $tasks{$id} = { id => $id, pid => $pid, in => $in_w, queue => '', grace => $grace / 1000, adopted => {} };
    $by_pid{$pid} = $id;
    $by_sid{$pid} = $id;
    $max_grace = $grace / 1000 if $grace / 1000 > $max_grace;
    if (length $state) {
        $t->{state} = $state;
        record($t, 'started', "$pid " . start_ticks($pid) . "\n");
        add_timer(time + $timeout / 1000, sub { return if $t->{done}; $t->{timed_out} = 1; end_task($t); }) if $timeout > 0;
    }
    emit('s', $id, $pid);
}

# Every live process as [pid, ppid, pgid, sid], by parent and by session, from one pass over
# /proc per turn of the main loop (a kill storm costs one pass, not one per task). Zombies are
# skipped: they are dead, only not yet reaped.
sub processes {
    return @$procs if $procs;
    my (%kids, %sessions);
    opendir(my $proc, '/proc') or return ({}, {});
    for my $p (grep { /^\d+$/ } readdir $proc) {
        open(my $fh, '<', "/proc/$p/stat") or next;
        my $stat = <$fh> // next;
        $stat =~ /\)\s+(\S)\S*\s+(\d+)\s+(\d+)\s+(\d+)/ or next;
        next if $1 eq 'Z';
        my $e = [$p, $2, $3, $4];
        push @{ $kids{$2} }, $e;
        push @{ $sessions{$4} }, $e;
    }
    $procs = [\%kids, \%sessions];
    return @$procs;
}

# The processes that a signal to the process group $sid misses: members of that session (pid =
# pgid = sid) that left the group (setpgid), and the descendants of the session's members and of
# @roots that are outside the session (setsid), as long as their parent still runs.
sub strays {
    my ($sid, @roots) = @_;
    my ($kids, $sessions) = processes();
    my @members = @{ $sessions->{$sid} || [] };
    my @strays = map { $_->[0] } grep { $_->[2] != $sid } @members;
    my %seen = map { $_ => 1 } @roots, map { $_->[0] } @members;
    my @todo = ((map { $_->[0] } @members), @roots); # never from a bare pid: it may have been reused
    while (defined(my $p = shift @todo)) {
        for my $k (@{ $kids->{$p} || [] }) {
            next if $seen{$k->[0]}++;
            push @strays, $k->[0]; # left the session: only its pid reaches it
            push @todo, $k->[0];
        }
    }
    return @strays;
}

# [state, pgid, sid] of a process, or nothing.
sub stat_of {
    open(my $st, '<', "/proc/$_[0]/stat") or return;
    (<$st> // '') =~ /\)\s+(\S)\S*\s+\d+\s+(\d+)\s+(\d+)/ or return;
    return ($1, $2, $3);
}

# The task a re-parented process belongs to: by the variable every task process inherits, else
# by its session. A task of ours that was forgotten still counts (its id is known, not its record).
sub owner_of {
    my ($pid, $sid) = @_;
    if (open(my $fh, '<', "/proc/$pid/environ")) {
        local $/;
        my $env = "\0" . (<$fh> // '');
        return $1 if $env =~ /\0BGTASKS_TASK=\Q$helper\E\.([^\0]+)/;
    }
    return $by_sid{$sid};
}

# Whether anything of the task may still run. With a subreaper, all that is left of a task whose
# own process ended is re-parented to us, so our list of its adopted processes says it.
sub task_alive {
    my $t = shift;
    return 1 if !$t->{done} || %{ $t->{adopted} };
    return 0 if $subreaper;
    return kill(0, -$t->{pid}) || strays($t->{pid}) ? 1 : 0;
}

# Signals every process of the task we can reach: its process group and the strays of its session
# while its own process runs (which keeps its pid, so its group's id, from being reused), and each
# adopted process with its process group (a group cannot outlive its members, so its id is safe).
# Descendants of adopted processes that left their group are reached once re-parented here.
sub signal_task {
    my ($t, $sig) = @_;
    my @roots = keys %{ $t->{adopted} };
    my %targets;
    if (!$t->{done} || (!$subreaper && kill(0, -$t->{pid}))) {
        $targets{$_} = 1 for -$t->{pid}, strays($t->{pid}, @roots);
    }
    for my $p (@roots) {
        my (undef, $pgid) = stat_of($p) or next;
        $targets{$p} = $targets{-$pgid} = 1;
    }
    send_signal($sig, keys %targets);
}

sub send_signal {
    my ($sig, @targets) = @_;
    return unless @targets;
    kill $sig, @targets;
    kill 'CONT', @targets if $sig ne 'KILL' && $sig ne '9'; # stopped processes act on TERM only after CONT
}

sub add_timer { push @timers, [@_]; $resort = 1; }

# Starts ending a task (see the header): TERM now and KILL at the deadline, or KILL now if that
# has come. Calling it again re-sends the signal but never moves the deadline later.
sub end_task {
    my ($t, $kill) = @_;
    adopt();
    my $now = time;
    if (!defined $t->{deadline} || ($kill && $t->{deadline} > $now)) {
        $t->{deadline} = $kill ? $now : $now + $t->{grace};
        $t->{armed} = 0;
    }
    signal_task($t, $t->{deadline} <= $now ? 'KILL' : 'TERM');
    arm($t);
}

# Sets the timer for the task's SIGKILL, once, if it is still ahead and something may be left.
sub arm {
    my $t = shift;
    return if $t->{armed} || !task_alive($t);
    $t->{armed} = 1;
    add_timer($t->{deadline}, sub { signal_task($t, 'KILL') if $t->{deadline} <= time; drop($t); });
}

# Forgets a task for good once the JVM forgot it and nothing of it is left to end: no adopted
# process, and no SIGKILL ahead (a timer is armed only while something may be left).
sub drop {
    my $t = shift;
    return unless $t->{forgotten} && !%{ $t->{adopted} } && (!$t->{armed} || $t->{deadline} <= time);
    delete $tasks{$t->{id}};
    delete $by_sid{$t->{pid}};
}

# Looks at our children for processes re-parented here (at most once per turn), attributes each
# new one to its task, and ends it at once if its task is ending.
sub adopt {
    return if !$subreaper || $looked++;
    open(my $fh, '<', "/proc/$$/task/$$/children") or return;
    for my $pid (split ' ', <$fh> // '') {
        next if $by_pid{$pid} || exists $adopted{$pid};
        my ($state, $pgid, $sid) = stat_of($pid) or next;
        next if $state eq 'Z'; # dead: reaped in the next turn
        my $id = owner_of($pid, $sid);
        if (!defined $id) {
            $adopted{$pid} = '';
            $unowned{$pid} = [grep { !$tasks{$_}{done} } keys %tasks];
            next;
        }
        $adopted{$pid} = $id;
        my $t = $tasks{$id};
        if (!$t) { # its task was forgotten after its deadline
            kill 'KILL', $pid, -$pgid;
            next;
        }
        $t->{adopted}{$pid} = 1;
        next unless defined $t->{deadline}; # a running task's own (double-forked) process
        send_signal($t->{deadline} <= time ? 'KILL' : 'TERM', $pid, -$pgid);
        arm($t);
    }
    end_unowned();
}

# The fallback for processes that could not be attributed: once every task that ran when one was
# adopted is ending, it is ended too, with the latest of their deadlines.
sub end_unowned {
    my $now = time;
    PID: for my $pid (keys %unowned) {
        my $deadline;
        for my $t (grep { defined } map { $tasks{$_} } @{ $unowned{$pid} }) {
            next PID unless defined $t->{deadline};
            $deadline = $t->{deadline} if !defined $deadline || $t->{deadline} > $deadline;
        }
        $deadline //= $now + $max_grace;
        delete $unowned{$pid};
        $orphans{$pid} = $deadline;
        my (undef, $pgid) = stat_of($pid);
        my @targets = ($pid, defined $pgid ? -$pgid : ());
        send_signal($deadline <= $now ? 'KILL' : 'TERM', @targets);
        add_timer($deadline, sub {
            return unless exists $orphans{$pid}; # reaped: its pid may be reused
            my (undef, $g) = stat_of($pid);
            kill 'KILL', $pid, defined $g ? -$g : ();
        });
    }
}

sub lost_adopted {
    my $pid = shift;
    my $id = delete $adopted{$pid};
    delete $unowned{$pid};
    delete $orphans{$pid};
    my $t = $tasks{$id} // return;
    delete $t->{adopted}{$pid};
    drop($t);
}

sub ack { my ($t, $n) = @_; $acks{$t->{id}} += $n if $n; }

sub close_input {
    my $t = shift;
    close $t->{in} if $t->{in};
    $t->{in} = undef;
    ack($t, length $t->{queue}); # dropped
    $t->{queue} = '';
    delete $queued{$t->{id}};
}

sub flush_input {
    my $t = shift;
    return unless $t->{in};
    while (length $t->{queue}) {
        my $n = syswrite($t->{in}, $t->{queue});
        if (defined $n) { ack($t, $n); substr($t->{queue}, 0, $n) = ''; next; }
        last if $!{EAGAIN} || $!{EINTR};
        return close_input($t); # EPIPE: the task closed its stdin
    }
    if (length $t->{queue}) {
        $queued{$t->{id}} = $t;
    } else {
        delete $queued{$t->{id}};
        close_input($t) if $t->{close_after};
    }
}

sub reap {
    1 while sysread($wake_r, my $buf, 512);
    my ($reaped, @ended) = (0);
    $childless = 0;
    while (1) {
        my $pid = waitpid(-1, WNOHANG);
        if ($pid < 0) { $childless = 1 if $!{ECHILD}; last; }
        last if $pid == 0;
        my $status = $?;
        $reaped = 1; # its children, if it had any, are ours now
        if (exists $adopted{$pid}) { lost_adopted($pid); next; }
        my $id = delete $by_pid{$pid} // next;
        my $t = $tasks{$id};
        $t->{done} = 1;
        close_input($t);
        my @how = ($status & 127) ? ('k', $status & 127) : ('e', $status >> 8);
        record($t, 'exit', "@how" . ($t->{timed_out} ? ' timeout' : '') . "\n") if $t->{state};
        emit('x', $id, @how);
        push @ended, $t;
    }
    adopt() if $reaped; # first, so that the orphans of the ended tasks are theirs
    # What a finished task leaves behind (background children, daemons) is part of it: end it too.
    end_task($_) for @ended;
    end_unowned() if @ended;
}

sub handle {
    my @f = split / /, shift;
    my $op = shift @f // return;
    if ($op eq 'S') {
        my ($id, $grace, $cwd, $log, $state, $timeout)
            = (shift @f, shift @f, unhex(shift @f), unhex(shift @f), unhex(shift @f), shift @f);
        return fail($id, 'the process backend helper is stopping (it received SIGTERM)') if $stopping;
        my %set = map { split(/=/, unhex($_), 2) } splice(@f, 0, shift @f);
        my @unset = map { unhex($_) } splice(@f, 0, shift @f);
        my @argv = map { unhex($_) } splice(@f, 0, shift @f);
        start_task($id, $grace, $cwd, $log, $state, $timeout, \%set, \@unset, \@argv);
        return;
    }
    if ($op eq 'Q') { $quit = 1; return; }
    my $t = $tasks{$f[0] // ''} // return;
    if ($op eq 'K') {
        my $sig = $f[1] // 'TERM';
        if ($sig eq 'TERM' || $sig eq 'KILL' || $sig eq '15' || $sig eq '9') {
            end_task($t, $sig eq 'KILL' || $sig eq '9');
            end_unowned();
        } else {
            signal_task($t, $sig);
        }
    } elsif ($op eq 'I') {
        my $bytes = unhex($f[1] // 'h');
        if ($t->{in}) {
            $t->{queue} .= $bytes;
            flush_input($t);
        } else {
            ack($t, length $bytes); # its stdin is closed: dropped
        }
    } elsif ($op eq 'C') {
        $t->{close_after} = 1;
        flush_input($t);
    } elsif ($op eq 'F') {
        if ($t->{done}) { $t->{forgotten} = 1; drop($t); }
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

sub send_acks {
    my @ids = keys %acks;
    emit('i', $_, delete $acks{$_}) for @ids;
}

# The JVM is gone or the helper is being stopped: end every task (but detached ones, when only the
# JVM is gone), and the unattributed too once no detached task runs on.
sub stop_all {
    return if $stopping;
    $stopping = 1;
    emit('T') if $term;
    adopt();
    end_task($_) for grep { !defined $_->{deadline} && ($term || !$_->{state}) } values %tasks;
    if ($term || !detached_running()) { $_ = [] for values %unowned; } # no task runs on
    end_unowned();
}

# Whether the own process of a detached task still runs: the helper stays for it.
sub detached_running {
    return scalar grep { $_->{state} && !$_->{done} } values %tasks;
}

# Whether a task or an unattributed process that is being ended may still run.
sub ending_alive {
    return 1 if grep { exists $adopted{$_} } keys %orphans;
    return scalar grep { defined $_->{deadline} && task_alive($_) } values %tasks;
}

emit('ready', $$);
while (1) {
    ($procs, $looked) = (undef, 0);
    my $poll = IO::Poll->new;
    my $reading = !$eof && !$quit;
    $poll->mask(\*STDIN => POLLIN) if $reading;
    $poll->mask($wake_r => POLLIN);
    $poll->mask($_->{in} => POLLOUT) for values %queued;
    if ($resort) { @timers = sort { $a->[0] <=> $b->[0] } @timers; $resort = 0; }
    my $timeout = @timers ? ($timers[0][0] - time > 0 ? $timers[0][0] - time : 0) : undef;
    # Perl runs signal handlers between statements, so a SIGCHLD just before poll(2) is only
    # handled when poll returns: bound the wait while we have children, so such an exit is late,
    # not lost; and once ending, so that the end is seen.
    $timeout = 0.1 if (%by_pid || %adopted || $quit || $stopping || $eof) && (!defined $timeout || $timeout > 0.1);
    $poll->poll($timeout);
    reap();
    read_requests() if $reading;
    flush_input($_) for values %queued;
    if ($resort) { @timers = sort { $a->[0] <=> $b->[0] } @timers; $resort = 0; }
    while (@timers && $timers[0][0] <= time) { (shift @timers)->[1]->(); }
    # Q is always followed by the end of stdin: stop_all only when the JVM left without Q.
    stop_all() if ($eof && !$quit) || $term;
    send_acks();
    if ($stopping) {
        exit 0 if $childless && !ending_alive();
    } elsif ($quit) {
        # Finish ending what is being ended first: each is one grace period away at most.
        exit 0 unless ending_alive() || detached_running();
    }
}
