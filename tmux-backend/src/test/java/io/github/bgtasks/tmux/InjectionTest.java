package io.github.bgtasks.tmux;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile names, arguments, environment values and input reach the task literally: nothing
 * makes tmux or a shell run anything else.
 */
class InjectionTest {
    /** Unique arguments that mark this class's processes. */
    private static final String M201 = Fixtures.marker();
    private static final String M202 = Fixtures.marker();
    private static final String M203 = Fixtures.marker();

    @RegisterExtension
    static final TmuxServer SERVER = new TmuxServer();
    static BackgroundTasks tasks;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() {
        tasks = SERVER.tasks();
    }

    private List<String> hostile(Path pwned) {
        return List.of("$(touch " + pwned + ")", "'; touch " + pwned + " #", "`touch " + pwned + "`",
                "#{pid}", "#(touch " + pwned + ")", "ends;", "ends\\;", ";", "-t", "--", "a\"b'c",
                "line1\nline2", "x; touch " + pwned, "&& touch " + pwned, "C-d", "Enter", "~ $HOME * ?");
    }

    private static String log(TaskHandle t) throws Exception {
        return Files.readString(t.logFile(), StandardCharsets.UTF_8).replace("\r\n", "\n");
    }

    @Test
    void argumentsArriveLiterally() throws Exception {
        Path pwned = tmp.resolve("pwned");
        List<String> argv = new ArrayList<>(List.of("printf", "[%s]\\n"));
        argv.addAll(hostile(pwned));
        TaskHandle t = tasks.start(TaskSpec.builder(argv).name("argv").build());
        assertEquals(TaskState.SUCCEEDED, t.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS).state());
        StringBuilder expected = new StringBuilder();
        hostile(pwned).forEach(a -> expected.append('[').append(a).append("]\n"));
        assertEquals(expected.toString(), log(t));
        assertFalse(Files.exists(pwned));
    }

    @Test
    void aSingleArgumentIsNeverGivenToAShell() throws Exception {
        Path pwned = tmp.resolve("pwned-single");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> tasks.start(TaskSpec.builder("/bin/echo;touch " + pwned).name("single").build()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertFalse(Files.exists(pwned));
    }

    @Test
    void argumentsAndEnvironmentBeyondTmuxsCommandLimitWork() throws Exception {
        String big = "x".repeat(50_000) + "'\"$(;#{pid}\n" + "y".repeat(50_000) + ";";
        TaskHandle t = tasks.start(TaskSpec.builder("sh", "-c", "printf %s \"$1\" | sha256sum; printf %s \"$BIG\" | sha256sum",
                "sh", big).name("big").environment(Map.of("BIG", big)).build());
        assertEquals(TaskState.SUCCEEDED, t.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS).state());
        String sum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big.getBytes(StandardCharsets.UTF_8)));
        assertEquals(sum + "  -\n" + sum + "  -\n", log(t));
    }

    @Test
    void environmentIsExactlyTheLaunchsNeverTheServersNorAnotherTasks() throws Exception {
        // Poison the server's global environment; a task must never see it.
        tasks.start(TaskSpec.builder("sleep", M201).name("keeper").build());
        SERVER.tmux("set-environment", "-g", "LEAK_FROM_SERVER", "yes");
        // (A locale that is not installed must not make any helper warn into the log either.)
        Map<String, String> mine = Map.of("TASK_A_SECRET", "a'b\"c $(x) #{pid}\nsecond line", "odd.name-1", "v",
                "OPTIND", "x", "LC_ALL", "xx_YY.UTF-8");
        TaskHandle a = tasks.start(TaskSpec.builder("/usr/bin/env", "-0").name("env-a").environment(mine).build());
        TaskHandle b = tasks.start(TaskSpec.builder("/usr/bin/env", "-0").name("env-b").build());
        a.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        b.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, String> expectedA = new HashMap<>(System.getenv());
        expectedA.putAll(mine);
        assertEquals(expectedA, parseEnv(log(a)));
        assertEquals(System.getenv(), parseEnv(log(b)));
        tasks.find("keeper").orElseThrow().kill().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void theEnvironmentDoesNotStayOnDiskWhileTheTaskRuns() throws Exception {
        TaskHandle t = tasks.start(TaskSpec.builder("sh", "-c", "echo \"$SECRET_TOKEN\"; exec cat").name("secretive")
                .environment(Map.of("SECRET_TOKEN", "s3cr3t-value")).build());
        await().atMost(Fixtures.PATIENCE).until(() -> t.tail(1).equals(List.of("s3cr3t-value")));
        Path state = SERVER.stateDir().resolve("tasks").resolve(t.id());
        // The wrapper is run.pl with Perl, run.sh without.
        await().atMost(Fixtures.PATIENCE).until(() -> Files.notExists(state.resolve("run.sh"))
                && Files.notExists(state.resolve("run.pl")));
        try (var files = Files.walk(state)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertFalse(Files.readString(f, StandardCharsets.ISO_8859_1).contains("s3cr3t-value"), f.toString());
            }
        }
        t.kill().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Map<String, String> parseEnv(String log) {
        Map<String, String> env = new HashMap<>();
        for (String entry : log.split("\0")) {
            int eq = entry.indexOf('=', 1);
            env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return env;
    }

    @Test
    void inputIsTypedLiterally() throws Exception {
        Path out = tmp.resolve("typed");
        Path pwned = tmp.resolve("pwned-input");
        TaskHandle t = tasks.start(TaskSpec.builder("sh", "-c", "cat > \"$1\"", "sh", out.toString()).name("typist").build());
        List<String> lines = hostile(pwned);
        lines.forEach(t::send);
        t.closeInput(); // ^D at the start of a line: cat sees end of file
        TaskResult r = t.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(TaskState.SUCCEEDED, r.state(), r.toString());
        assertEquals(String.join("\n", lines) + "\n", Files.readString(out));
        assertFalse(Files.exists(pwned));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> t.send("late"));
    }

    @Test
    void namesThatTmuxWouldExpandOrRenameAreRefused() {
        Path pwned = tmp.resolve("pwned-name");
        for (String name : List.of("#(touch " + pwned + ")x", "a#{pid}", "job:1.2", "=exact", "-t", "$5", "a b")) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> tasks.start(TaskSpec.builder("true").name(name).build()), name);
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
        assertFalse(Files.exists(pwned));
    }

    @Test
    void runIdsThatClashAcrossLogDirectoriesKeepSeparateState() throws Exception {
        try (BackgroundTasks other = BackgroundTasks.builder()
                .backend(TmuxBackend.builder().socketName(SERVER.socket).stateDirectory(SERVER.stateDir()).build())
                .logDirectory(tmp.resolve("other-logs")).build()) {
            TaskHandle a = tasks.start(TaskSpec.builder("sh", "-c", "exit 1").name("clash").build());
            a.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            TaskHandle b = other.start(TaskSpec.builder("sh", "-c", "exit 2").name("clash").build());
            assertEquals(a.id(), b.id());
            assertEquals(2, b.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS).exitCode().getAsInt());
            assertEquals(1, a.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS).exitCode().getAsInt());
        }
    }

    @Test
    void aNameThatIsAPrefixOfAnotherNeverTargetsTheOther() throws Exception {
        TaskHandle longer = tasks.start(TaskSpec.builder("sleep", M202).name("task-1000").build());
        TaskHandle shorter = tasks.start(TaskSpec.builder("sleep", M203).name("task-100").build());
        TaskHandle shortest = tasks.start(TaskSpec.builder("sh", "-c", "cat").name("task-1").build());
        shortest.send("to task-1 only");
        TaskResult killed = shorter.kill().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(TaskState.STOPPED, killed.state(), killed.toString());
        assertEquals(TaskState.STOPPED, shortest.stop().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS).state());
        assertEquals(TaskState.RUNNING, longer.state());
        assertTrue(SERVER.tmux("list-sessions", "-F", "#{session_name}").contains("task-1000"));
        assertFalse(Files.readString(longer.logFile()).contains("to task-1"));
        longer.kill().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void hostilePathsForLogsAndStateAreQuoted() throws Exception {
        Path pwned = tmp.resolve("pwned-path");
        String evil = "d $(touch " + pwned + ") #{pid} ## 'q' `x`;";
        try (BackgroundTasks odd = BackgroundTasks.builder()
                .backend(TmuxBackend.builder().socketName(SERVER.socket).stateDirectory(tmp.resolve("state " + evil)).build())
                .logDirectory(tmp.resolve("logs " + evil)).build()) {
            TaskHandle t = odd.start(TaskSpec.builder("echo", "hello").name("odd-paths").build());
            assertEquals(TaskState.SUCCEEDED, t.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS).state());
            assertEquals(List.of("hello"), t.tail(1));
            assertTrue(t.logFile().toString().contains(evil));
        }
        assertFalse(Files.exists(pwned));
    }

    @Test
    void timeoutAndStopWorkTogetherWithInputBeingEchoed() throws Exception {
        // The pane is a terminal: what is typed is echoed, so it shows in the log, as for a person.
        TaskHandle t = tasks.start(TaskSpec.builder("sh", "-c", "read -r l; echo \"got:$l\"").name("echo").build());
        t.send("hi");
        t.onExit().get(Fixtures.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        await().atMost(Fixtures.PATIENCE).until(() -> t.tail(2).equals(List.of("hi", "got:hi")));
    }
}
