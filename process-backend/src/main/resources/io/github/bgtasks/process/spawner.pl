# bgtasks spawner: starts and reaps the tasks of one process backend.
#
# The JVM runs one of these per backend and talks to it through pipes, one line per message,
# every free-form field sent as 'h' + hex. Tasks are this process's children, not the JVM's, so the
# JVM needs no thread per task: exits arrive here as SIGCHLD and go back as one line each.
#
# Requests (stdin):  S id grace_ms cwd log nenv env... nargv argv...   start a task
#                    K id signal         signal the task's process group and session
#                    I id bytes          write to the task's stdin     C id   close its stdin
#                    F id                forget a finished task        Q      quit, leave tasks
# Replies (stdout):  s id pid            started       f id message    could not start
#                    x id e code | x id k signal       the task's own process ended
#                    w message           a warning for the JVM's log
# End of stdin without Q means the JVM is gone: stop every task (TERM, grace, KILL), then exit.
use strict;
use warnings;
use POSIX qw(WNOHANG setsid);
use Fcntl qw(O_WRONLY O_APPEND F_GETFL F_SETFL O_NONBLOCK);
use IO::Poll qw(POLLIN POLLOUT);
use Time::HiRes qw(time);

$/ = "\n"; # the loader read this script with another separator

my (%tasks, %by_pid, @timers);
my ($requests, $quit, $eof) = ('', 0, 0);

# Away from the JVM's terminal: Ctrl-C reaches the JVM, whose shutdown stops the tasks in order.
setsid();
$SIG{$_} = 'IGNORE' for qw(INT HUP QUIT TSTP TTIN TTOU PIPE);
pipe(my $wake_r, my $wake_w) or die "pipe: $!";
nonblocking($_) for $wake_r, $wake_w, \*STDIN;
$SIG{CHLD} = sub { syswrite($wake_w, 'c') };

sub nonblocking {
    my $fh = shift;
    fcntl($fh, F_SETFL, fcntl($fh, F_GETFL, 0) | O_NONBLOCK) or die "fcntl: $!";
}
sub unhex { return pack('H*', substr(shift, 1)) } # fields are 'h' + hex, so none is empty
sub emit { my $line = join(' ', @_) . "\n"; syswrite(STDOUT, $line) }
sub warn_jvm { emit('w', unpack('H*', shift)) }

sub start_task {
    my ($id, $grace, $cwd, $log, $env, $argv) = @_;
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
            sysopen(my $out, $log, O_WRONLY | O_APPEND) or die "cannot open log file $log: $!\n";
            defined POSIX::dup2(fileno($out), 1) and defined POSIX::dup2(fileno($out), 2)
                and defined POSIX::dup2(fileno($in_r), 0) or die "dup2 failed: $!\n";
            %ENV = %$env;
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
    emit('s', $id, $pid);
}

# Members of the task's session that left its process group (setpgid) escape a group signal.
sub session_strays {
    my $sid = shift;
    my @found;
    opendir(my $proc, '/proc') or return ();
    for my $p (grep { /^\d+$/ } readdir $proc) {
        open(my $fh, '<', "/proc/$p/stat") or next;
        my $stat = <$fh> // next;
        $stat =~ /\)\s+\S+\s+\d+\s+(\d+)\s+(\d+)/ or next;
        push @found, $p if $2 == $sid && $1 != $sid;
    }
    return @found;
}

sub signal_tree {
    my ($t, $sig) = @_;
    my @targets = (-$t->{pid}, session_strays($t->{pid}));
    kill $sig, @targets;
    kill 'CONT', @targets if $sig ne 'KILL' && $sig ne '9'; # stopped processes act on TERM only after CONT
}

sub group_alive { my $t = shift; return kill(0, -$t->{pid}) }

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
    while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
        my $status = $?;
        my $id = delete $by_pid{$pid} // next;
        my $t = $tasks{$id};
        $t->{done} = 1;
        close_input($t);
        emit('x', $id, ($status & 127) ? ('k', $status & 127) : ('e', $status >> 8));
        # Leftovers of a finished task (background children) are part of it: end them too.
        if (group_alive($t) || session_strays($pid)) {
            signal_tree($t, 'TERM');
            push @timers, [time + $t->{grace}, sub { signal_tree($t, 'KILL') if group_alive($t) }];
        }
    }
}

sub handle {
    my @f = split / /, shift;
    my $op = shift @f // return;
    if ($op eq 'S') {
        my ($id, $grace, $cwd, $log, $nenv) = (shift @f, shift @f, unhex(shift @f), unhex(shift @f), shift @f);
        my %env = map { split(/=/, unhex($_), 2) } splice(@f, 0, $nenv);
        my $nargv = shift @f;
        start_task($id, $grace, $cwd, $log, \%env, [map { unhex($_) } splice(@f, 0, $nargv)]);
        return;
    }
    if ($op eq 'Q') { $quit = 1; return; }
    my $t = $tasks{$f[0] // ''} // return;
    if ($op eq 'K') {
        signal_tree($t, $f[1]) if !$t->{done} || group_alive($t);
    } elsif ($op eq 'I') {
        $t->{queue} .= unhex($f[1] // '');
        flush_input($t);
    } elsif ($op eq 'C') {
        $t->{close_after} = 1;
        flush_input($t);
    } elsif ($op eq 'F') {
        delete $tasks{$f[0]} if $t->{done};
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
    signal_tree($_, 'KILL') for grep { !$_->{done} || group_alive($_) } @live;
    reap();
}

emit('ready', $$);
while (1) {
    my $poll = IO::Poll->new;
    $poll->mask(\*STDIN => POLLIN) unless $eof || $quit;
    $poll->mask($wake_r => POLLIN);
    $poll->mask($_->{in} => POLLOUT) for grep { $_->{in} && length $_->{queue} } values %tasks;
    @timers = sort { $a->[0] <=> $b->[0] } @timers;
    my $timeout = @timers ? ($timers[0][0] - time > 0 ? $timers[0][0] - time : 0) : undef;
    $poll->poll($timeout);
    reap();
    read_requests() unless $eof || $quit;
    flush_input($_) for grep { $_->{in} && length $_->{queue} } values %tasks;
    while (@timers && $timers[0][0] <= time) { (shift @timers)->[1]->(); }
    exit 0 if $quit && !@timers; # finish ending the leftovers of finished tasks first
    if ($eof) { stop_all(); exit 0; }
}
