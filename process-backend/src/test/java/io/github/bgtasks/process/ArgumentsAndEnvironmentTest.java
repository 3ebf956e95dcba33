package io.github.bgtasks.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.bgtasks.BackgroundTasks;
import io.github.bgtasks.TaskHandle;
import io.github.bgtasks.TaskResult;
import io.github.bgtasks.TaskSpec;
import io.github.bgtasks.TaskStartException;
import io.github.bgtasks.TaskState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Arguments reach the program byte for byte and no shell ever sees them; the environment is
 * the JVM's plus the task's variables, exactly. Catalogue: 53, 44, 47, 51, 60 (plain mode).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ArgumentsAndEnvironmentTest extends RealProcessTest {
    private BackgroundTasks tasks;
    private Path pwned;

    @BeforeEach
    void instance() {
        tasks = newTasks();
        pwned = dir.resolve("pwned");
    }

    private List<String> hostile() {
        String p = pwned.toString();
        return List.of("x; touch " + p, "'; touch " + p + " #", "\"; touch " + p + " #", "$(touch " + p + ")",
                "`touch " + p + "`", "\ntouch " + p + "\n", "| touch " + p, "&& touch " + p, "> " + p, "$HOME", "*",
                "~", "", "  two  spaces  ", "-n", "--", "-t x", "%s %d %n", "back\\slash\\n", "tab\there",
                "héllo-✓-一", "\r\n");
    }

    private String run(TaskSpec spec) {
        TaskHandle h = tasks.start(spec);
        TaskResult r = h.onExit().join();
        assertEquals(TaskState.SUCCEEDED, r.state(), r + " " + h.tail(5));
        return text(h.logFile());
    }

    @Test
    void hostileArgumentsArriveByteForByteAndNothingRunsThem() {
        List<String> args = hostile();
        List<String> argv = new ArrayList<>(List.of("printf", "[%s]\\n"));
        argv.addAll(args);

        String log = run(TaskSpec.builder(argv).build());

        StringBuilder expected = new StringBuilder();
        args.forEach(a -> expected.append('[').append(a).append("]\n"));
        assertBytes(expected.toString().getBytes(StandardCharsets.UTF_8), log.getBytes(StandardCharsets.UTF_8));
        assertFalse(Files.exists(pwned), "an argument was run by a shell");
    }

    /** The same arguments as positional parameters of an explicit shell script stay data. */
    @Test
    void hostileArgumentsStayDataAsPositionalParametersOfAShell() {
        List<String> args = hostile();
        List<String> argv = new ArrayList<>(List.of("sh", "-c", "for a in \"$@\"; do printf '<%s>\\n' \"$a\"; done", "sh"));
        argv.addAll(args);

        String log = run(TaskSpec.builder(argv).build());

        StringBuilder expected = new StringBuilder();
        args.forEach(a -> expected.append('<').append(a).append(">\n"));
        assertEquals(expected.toString(), log);
        assertFalse(Files.exists(pwned), "an argument was run by a shell");
    }

    /** #54 for plain processes: a one-element argv that looks like a command line is a program name, not a script. */
    @Test
    void aCommandLineAsProgramNameIsNotFoundRatherThanRun() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tasks.start(TaskSpec.builder("true; touch pwned").workingDirectory(dir).build()));
        assertContains("'true; touch pwned' was not found on PATH", e.getMessage());
        assertFalse(Files.exists(pwned));
    }

    /** #44: a 100 KB argument works (each argument may have up to 128 KiB). */
    @Test
    void passesA100KilobyteArgument() {
        String big = "a".repeat(50_000) + "ü".repeat(25_000); // 100,000 bytes in UTF-8
        String log = run(TaskSpec.builder("sh", "-c", "printf %s \"$1\" | wc -c; printf %s \"$1\" | md5sum", "sh", big).build());
        String md5 = md5(big.getBytes(StandardCharsets.UTF_8));
        assertEquals("100000\n" + md5 + "  -\n", log);
    }

    /** #44: an argument over the kernel's 128 KiB limit: exec fails in the helper; E2BIG comes back. */
    @Test
    void anArgumentOverTheKernelLimitIsReportedAsTooLong() {
        String huge = "b".repeat(200_000);
        TaskStartException e = assertThrows(TaskStartException.class,
                () -> tasks.start(TaskSpec.builder("echo", huge).name("huge-arg").build()));
        assertContains("Argument list too long", e.getMessage());
        assertEquals(List.of(), tasks.list());
    }

    @Test
    void environmentIsTheJvmsPlusTheTasksExactly() {
        Map<String, String> mine = new LinkedHashMap<>();
        mine.put("BGT_PLAIN", "1");
        mine.put("BGT_EQUALS", "a=b==c=");
        mine.put("BGT_EMPTY", "");
        mine.put("BGT_UNICODE", "héllo-✓-一");
        mine.put("BGT_NEWLINE", "line1\nline2");
        mine.put("BGT_SHELLISH", "$(touch " + pwned + ") `id` ; '\"");
        String override = System.getenv().containsKey("HOME") ? "HOME" : "PATH";
        if (override.equals("HOME")) {
            mine.put("HOME", dir.toString()); // replaces the JVM's value
        }

        TaskHandle h = tasks.start(TaskSpec.builder("env", "-0").environment(mine).build());
        assertEquals(TaskState.SUCCEEDED, h.onExit().join().state());

        Map<String, String> seen = new HashMap<>();
        for (String entry : new String(bytes(h.logFile()), StandardCharsets.UTF_8).split("\0")) {
            int eq = entry.indexOf('=');
            seen.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        Map<String, String> expected = new HashMap<>(System.getenv());
        expected.putAll(mine);
        if (perlHelper()) {
            // The one variable the helper adds, so that it can attribute every process of the task to it.
            String marker = seen.getOrDefault("BGTASKS_TASK", "");
            assertTrue(marker.matches("[0-9]+\\.[^ ]+"), "BGTASKS_TASK=<helper pid>.<task key>, was " + marker);
            expected.put("BGTASKS_TASK", marker);
        }
        assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(seen));
        assertFalse(Files.exists(pwned));
    }

    /** #47: a working directory with spaces and non-ASCII characters. */
    @Test
    void unicodeWorkingDirectory() throws Exception {
        assumeTrue("UTF-8".equals(System.getProperty("sun.jnu.encoding")),
                "the JVM needs a UTF-8 locale (LANG=C.UTF-8) for non-ASCII file names");
        Path work = Files.createDirectory(dir.resolve("wörk dir ✓ 一"));
        String log = run(TaskSpec.builder("pwd", "-P").workingDirectory(work).build());
        assertEquals(work.toRealPath() + "\n", log);
        String relative = run(TaskSpec.builder("sh", "-c", "cat ./here.txt").workingDirectory(
                Files.writeString(work.resolve("here.txt"), "found é").getParent()).build());
        assertEquals("found é", relative);
    }

    private static String md5(byte[] data) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("MD5").digest(data);
            StringBuilder s = new StringBuilder();
            for (byte b : d) {
                s.append(String.format("%02x", b));
            }
            return s.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
