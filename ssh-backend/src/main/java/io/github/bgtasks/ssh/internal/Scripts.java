package io.github.bgtasks.ssh.internal;

/**
 * The scripts that run on a remote host, each a constant that {@code /bin/sh -c} runs with its
 * values as positional arguments ({@link Ssh#remote}), so that no value is ever part of a
 * script's text. Layout on a host, under its base directory (mode 0700): {@code tmux.conf},
 * {@code events} (one line per ended task, appended by the task's log pipe), and
 * {@code tasks/<tag>/} (the wrapper's state, as in the tmux backend).
 */
final class Scripts {
    private Scripts() {
    }

    /**
     * The master connection's session: prepares the base directory, reports the host's facts
     * ({@code key=value} lines, then {@code ready}), then streams the events file from a byte
     * offset until the connection drops (then sshd closes its input, and the reader ends).
     * Arguments: base directory (empty for the default), socket name, tmux configuration,
     * offset (1-based; 0 for the current end).
     */
    static final String CONNECT = String.join("\n",
            "sock=$2",
            "base=${1:-$HOME/.bgtasks-ssh/$sock}",
            "umask 077",
            "mkdir -p \"$base/tasks\" && : >> \"$base/events\" && printf '%s\\n' \"$3\" > \"$base/tmux.conf\" || exit 1",
            "off=$4",
            "[ \"$off\" = 0 ] && off=$(($(wc -c < \"$base/events\") + 1))",
            "printf 'base=%s\\n' \"$base\"",
            "printf 'offset=%s\\n' \"$off\"",
            "printf 'home=%s\\n' \"$HOME\"",
            "printf 'path=%s\\n' \"$PATH\"",
            "printf 'user=%s\\n' \"${USER:-$(id -un)}\"",
            "printf 'logname=%s\\n' \"${LOGNAME:-${USER:-$(id -un)}}\"",
            "printf 'shell=%s\\n' \"$SHELL\"",
            "printf 'lang=%s\\n' \"$LANG\"",
            "printf 'tmux=%s\\n' \"$(tmux -V 2>&1)\"",
            "for t in env mv sleep mkfifo perl; do printf '%s=%s\\n' \"$t\" \"$(command -v \"$t\" 2>/dev/null)\"; done",
            "env --default-signal=INT true 2>/dev/null && echo defaultsignal=1",
            "echo ready",
            "tail -c \"+$off\" -F \"$base/events\" 2>/dev/null & t=$!",
            "cat > /dev/null",
            "kill \"$t\" 2>/dev/null",
            "");

    /** Checks a working directory and a program the way execvp looks it up. Arguments: directory, program, PATH. */
    static final String VALIDATE = String.join("\n",
            "if [ ! -e \"$1\" ]; then echo nodir; exit 0; fi",
            "if [ ! -d \"$1\" ]; then echo notdir; exit 0; fi",
            "cd \"$1\" || { echo nodir; exit 0; }",
            "case $2 in",
            "*/*) f=$2 ;;",
            "*) f=; set -f; IFS=:",
            "   for d in $3; do [ -n \"$d\" ] || d=.; if [ -f \"$d/$2\" ] && [ -x \"$d/$2\" ]; then f=$d/$2; break; fi; done ;;",
            "esac",
            "if [ -z \"$f\" ]; then echo noprog",
            "elif [ ! -e \"$f\" ]; then echo missing",
            "elif [ -d \"$f\" ]; then echo isdir",
            "elif [ ! -x \"$f\" ]; then echo notexec",
            "else echo ok; fi",
            "");

    /** Creates {@code <dir>/<name>.<n>.log}, mode 0600, with the first free n from $3; prints n. */
    static final String LOG_CREATE = String.join("\n",
            "umask 077",
            "mkdir -p \"$1\" || exit 1",
            "n=$3",
            "while [ \"$n\" -lt $(($3 + 100000)) ]; do",
            "  if (set -C; : > \"$1/$2.$n.log\") 2>/dev/null; then echo \"$n\"; exit 0; fi",
            "  n=$((n + 1))",
            "done",
            "echo \"no free log name for $2 in $1\" >&2; exit 1",
            "");

    /** Prints a log's size. */
    static final String LOG_SIZE = "[ -f \"$1\" ] || { echo \"no such log: $1\" >&2; exit 2; }; wc -c < \"$1\"";

    /** Prints up to $3 bytes of a log from byte offset $2. */
    static final String LOG_READ = "[ -f \"$1\" ] || { echo \"no such log: $1\" >&2; exit 2; }; "
            + "tail -c \"+$(($2 + 1))\" \"$1\" | head -c \"$3\"";

    /** Deletes a file. */
    static final String DELETE = "rm -f \"$1\"";

    /** Deletes a task's state directory. Arguments: base, tag. */
    static final String RELEASE = "case $2 in */*|..|.|'') exit 1;; esac; rm -rf \"$1/tasks/$2\"";

    /**
     * Lists the tags of the live sessions, one a line; nothing if no server runs. Fails if tmux
     * fails otherwise, so that a wedged tmux is never taken for gone sessions. Arguments: base, socket.
     */
    static final String LIVE = String.join("\n",
            "out=$(tmux -u -L \"$2\" -f \"$1/tmux.conf\" list-sessions -F '#{@bgtasks-id}' 2>&1) && { printf '%s\\n' \"$out\"; exit 0; }",
            "case $out in *'no server running'*|*'error connecting'*) exit 0;; esac",
            "printf '%s\\n' \"$out\" >&2; exit 1",
            "");

    /**
     * Lists the recorded tasks, one a line: {@code <tag> <pid> <state>}, where the state is the
     * wrapper's exit record (plus {@code timedout}), {@code running} while the task's session
     * is live, or {@code gone}. Arguments: base, socket.
     */
    static final String FIND = String.join("\n",
            "live=$(tmux -u -L \"$2\" -f \"$1/tmux.conf\" list-sessions -F '#{@bgtasks-id}' 2>/dev/null)",
            "for d in \"$1\"/tasks/*/; do",
            "  [ -f \"$d/task.properties\" ] && [ -f \"$d/pid\" ] || continue",
            "  tag=${d%/}; tag=${tag##*/}; read -r pid < \"$d/pid\"",
            "  if [ -f \"$d/exit\" ]; then read -r s < \"$d/exit\"; [ -f \"$d/timedout\" ] && s=\"$s timedout\"",
            "  elif printf '%s\\n' \"$live\" | grep -qxF -- \"$tag\"; then s=running",
            "  else s=gone; fi",
            "  echo \"$tag $pid $s\"",
            "done",
            "");

    /** Prints a task's record. Arguments: base, tag. */
    static final String RECORD = "case $2 in */*|..|.|'') exit 1;; esac; cat \"$1/tasks/$2/task.properties\"";

    /** Prints the load average of the last minute. */
    static final String LOAD = "read -r a _ < /proc/loadavg && echo \"$a\"";

    /**
     * Starts a task: its state directory, its wrapper (read from standard input), its go FIFO,
     * then its session with its log pipe and tag in one tmux call; says go once tmux has
     * confirmed the session, and returns once the wrapper has started the command (or ended),
     * so that a stop right after the start reaches it. Prints the wrapper's pid. Exits 5 if the
     * state directory exists, 6 if a session of that name exists.
     * Arguments: base, tag, session name, socket name, pipe-pane command, env(1), length of the record.
     */
    static final String LAUNCH = String.join("\n",
            "base=$1 tag=$2 name=$3 sock=$4",
            "st=$base/tasks/$tag",
            "umask 077",
            "mkdir \"$st\" 2>/dev/null || exit 5",
            // Standard input: the task's record ($7 bytes), then the wrapper.
            "{ dd of=\"$st/task.properties\" bs=1 count=\"$7\" 2>/dev/null && cat > \"$st/run.sh\" "
                    + "&& mkfifo -m 600 \"$st/go\"; } || { rm -rf \"$st\"; exit 1; }",
            "out=$(tmux -u -L \"$sock\" -f \"$base/tmux.conf\" new-session -d -P -F '#{pane_pid}' -s \"$name\" -x 200 -y 50 "
                    + "-- \"$6\" -i /bin/sh \"$st/run.sh\" \\; pipe-pane -o -t \"=$name:\" \"$5\" \\; "
                    + "set-option -t \"=$name:\" @bgtasks-id \"$tag\" 2>&1)",
            "case $out in",
            "''|*[!0-9]*) rm -rf \"$st\"; printf 'tmux: %s\\n' \"$out\" >&2",
            "  case $out in *'duplicate session'*) exit 6;; esac; exit 4 ;;",
            "esac",
            "exec 3<>\"$st/go\"",
            "printf 'go\\n' >&3",
            // Milliseconds, once per start: the wrapper reads the word and starts the command.
            "while [ ! -f \"$st/started\" ] && [ ! -f \"$st/exit\" ] && kill -0 \"$out\" 2>/dev/null; do sleep 0.01; done",
            "exec 3>&-",
            // The shell has the script open; its copy of the environment (secrets, maybe) need not stay.
            "rm -f \"$st/run.sh\"",
            "echo \"$out\" > \"$st/pid\"",
            "echo \"$out\"",
            "");

    /** The check that the session is still the task's: same tag, same wrapper. Needs $base $sock $name $tag $pid. */
    private static final String OURS = "p=$(tmux -u -L \"$sock\" -f \"$base/tmux.conf\" display-message -p -t \"=$name:\" "
            + "'#{@bgtasks-id} #{pane_pid}' 2>/dev/null)\n[ \"$p\" = \"$tag $pid\" ] || exit 0\n";

    /** SIGTERM (then SIGCONT) to the wrapper, which forwards it to the task's group. Arguments: base, socket, name, tag, pid. */
    static final String TERMINATE = "base=$1 sock=$2 name=$3 tag=$4 pid=$5\n" + OURS
            + "kill -TERM \"$pid\" 2>/dev/null; kill -CONT \"$pid\" 2>/dev/null; exit 0\n";

    /**
     * SIGKILL to the wrapper's child (the command, or its reaper); the wrapper records signal 9
     * and sweeps its group. Should the session still be there two seconds later, it is killed.
     * Arguments: base, socket, name, tag, pid.
     */
    static final String KILL = String.join("\n",
            "base=$1 sock=$2 name=$3 tag=$4 pid=$5",
            OURS,
            "c=$(cat \"$base/tasks/$tag/child\" 2>/dev/null)",
            "if [ -n \"$c\" ] && [ -r \"/proc/$c/stat\" ]; then",
            "  read -r _ _ _ pp _ < \"/proc/$c/stat\"; [ \"$pp\" = \"$pid\" ] && kill -KILL \"$c\" 2>/dev/null",
            "fi",
            "kill -CONT \"$pid\" 2>/dev/null",
            "( sleep 2; q=$(tmux -u -L \"$sock\" -f \"$base/tmux.conf\" display-message -p -t \"=$name:\" "
                    + "'#{@bgtasks-id} #{pane_pid}' 2>/dev/null)",
            "  [ \"$q\" = \"$tag $pid\" ] && tmux -u -L \"$sock\" -f \"$base/tmux.conf\" kill-session -t \"=$name\" ) "
                    + "</dev/null >/dev/null 2>&1 &",
            "exit 0",
            "");

    /** Types bytes into the pane ({@code send-keys -H}); $4 is hex words only. Arguments: base, socket, name, hex. */
    static final String SEND = "set -f; tmux -u -L \"$2\" -f \"$1/tmux.conf\" send-keys -t \"=$3:\" -H $4";
}
