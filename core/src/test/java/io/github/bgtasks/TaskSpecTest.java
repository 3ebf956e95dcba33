package io.github.bgtasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Validation at the API boundary: every bad value is named in the message, with the fix. */
class TaskSpecTest {

    private static void assertMessage(Class<? extends Throwable> type, String expected, Runnable action) {
        Throwable e = assertThrows(type, action::run);
        assertTrue(e.getMessage().contains(expected), "message <" + e.getMessage() + "> lacks <" + expected + ">");
    }

    @Test
    void buildsAnImmutableSpec() {
        TaskSpec spec = TaskSpec.builder("npm", "run", "build").name("build-main").workingDirectory(Path.of("webapp"))
                .environment(Map.of("CI", "true")).timeout(Duration.ofMinutes(10)).build();
        assertEquals(List.of("npm", "run", "build"), spec.argv());
        assertEquals("build-main", spec.name().orElseThrow());
        assertEquals(Map.of("CI", "true"), spec.environment());
        assertThrows(UnsupportedOperationException.class, () -> spec.argv().add("x"));
        assertEquals("TaskSpec{build-main [npm, run, build] in webapp env [CI] timeout PT10M}", spec.toString());
    }

    @Test
    void copiesTheArgvItWasGiven() {
        String[] argv = {"echo", "a"};
        TaskSpec spec = TaskSpec.builder(argv).build();
        argv[1] = "changed";
        assertEquals(List.of("echo", "a"), spec.argv());
    }

    @Test
    void shellIsExplicit() {
        assertEquals(List.of("/bin/sh", "-c", "a && b"), TaskSpec.shell("a && b").build().argv());
        assertMessage(IllegalArgumentException.class, "shell script must not be blank", () -> TaskSpec.shell(" "));
    }

    @Test
    void rejectsBadArgv() {
        assertMessage(IllegalArgumentException.class, "argv must not be empty", () -> TaskSpec.builder());
        assertMessage(IllegalArgumentException.class, "argv must not be empty", () -> TaskSpec.builder(List.of()));
        assertMessage(IllegalArgumentException.class, "argv[0]) must not be blank", () -> TaskSpec.builder(""));
        assertMessage(IllegalArgumentException.class, "argv[1] contains a NUL", () -> TaskSpec.builder("a", "b\0c"));
        assertMessage(NullPointerException.class, "argv[1] must not be null", () -> TaskSpec.builder(Arrays.asList("a", null)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a:b", "a.b", "a b", "a#b", "a$b", "a=b", "a*b", "a?b", "a[b", "a/b", "a'b", "a;b", "é", "a\nb", "-lead"})
    void rejectsNamesWithCharactersOutsideTheAllowList(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskSpec.builder("x").name(name));
        assertTrue(e.getMessage().contains("at index"), e.getMessage());
        assertTrue(e.getMessage().endsWith("use 1 to 64 letters, digits, '_' and '-', not starting with '-'"), e.getMessage());
    }

    @Test
    void namesTheBadCharacter() {
        assertMessage(IllegalArgumentException.class, "task name 'job:1' has ':' at index 3",
                () -> TaskSpec.builder("x").name("job:1"));
        assertMessage(IllegalArgumentException.class, "has control character U+000A at index 1",
                () -> TaskSpec.builder("x").name("a\nb"));
        assertMessage(IllegalArgumentException.class, "has 0 characters", () -> TaskSpec.builder("x").name(""));
        assertMessage(IllegalArgumentException.class, "has 65 characters", () -> TaskSpec.builder("x").name("a".repeat(65)));
        assertEquals("ok_Name-2", TaskSpec.builder("x").name("ok_Name-2").build().name().orElseThrow());
    }

    @Test
    void rejectsBadDurations() {
        assertMessage(IllegalArgumentException.class, "timeout must be positive, was PT-1S",
                () -> TaskSpec.builder("x").timeout(Duration.ofSeconds(-1)));
        assertMessage(IllegalArgumentException.class, "timeout must be positive, was PT0S",
                () -> TaskSpec.builder("x").timeout(Duration.ZERO));
        assertMessage(IllegalArgumentException.class, "timeout must be at most 100 years",
                () -> TaskSpec.builder("x").timeout(Duration.ofSeconds(Long.MAX_VALUE)));
        assertMessage(NullPointerException.class, "timeout must not be null", () -> TaskSpec.builder("x").timeout(null));
        assertMessage(IllegalArgumentException.class, "stop grace period must be positive",
                () -> TaskSpec.builder("x").stopGracePeriod(Duration.ofMillis(-5)));
        assertMessage(IllegalArgumentException.class, "stop grace period must be positive",
                () -> BackgroundTasks.builder().stopGracePeriod(Duration.ZERO));
    }

    @Test
    void rejectsBadEnvironment() {
        assertMessage(IllegalArgumentException.class, "name 'A=B' is invalid",
                () -> TaskSpec.builder("x").environment(Map.of("A=B", "v")));
        assertMessage(IllegalArgumentException.class, "name '' is invalid",
                () -> TaskSpec.builder("x").environment(Map.of("", "v")));
        assertMessage(IllegalArgumentException.class, "value of environment variable A contains a NUL",
                () -> TaskSpec.builder("x").environment(Map.of("A", "v\0")));
    }

    @Test
    void eachOptionCanBeSetOnce() {
        assertMessage(IllegalStateException.class, "timeout was already set to PT30S",
                () -> TaskSpec.builder("x").timeout(Duration.ofSeconds(30)).timeout(Duration.ofSeconds(5)));
        assertMessage(IllegalStateException.class, "name was already set to a",
                () -> TaskSpec.builder("x").name("a").name("b"));
        assertMessage(IllegalStateException.class, "log directory was already set",
                () -> BackgroundTasks.builder().logDirectory(Path.of("a")).logDirectory(Path.of("b")));
    }

    @Test
    void rejectsUnpairedSurrogatesNamingWhereTheyAre() {
        // Issue 6: one backend turned them into '?', the other failed with "Input length = 1".
        assertMessage(IllegalArgumentException.class, "argv[2] has an unpaired surrogate U+D800 at index 1, which is "
                + "not text and has no UTF-8 form", () -> TaskSpec.builder("echo", "ok", "a\uD800b"));
        assertMessage(IllegalArgumentException.class, "argv[1] has an unpaired surrogate U+DC00 at index 0",
                () -> TaskSpec.builder("echo", "\uDC00"));
        assertMessage(IllegalArgumentException.class, "argv[2] has an unpaired surrogate U+D83D at index 2",
                () -> TaskSpec.shell("ab\uD83D"));
        assertMessage(IllegalArgumentException.class, "value of environment variable A has an unpaired surrogate "
                + "U+D800 at index 0", () -> TaskSpec.builder("x").environment(Map.of("A", "\uD800")));
        assertMessage(IllegalArgumentException.class, "environment variable name 'B\uDFFF' has an unpaired surrogate "
                + "U+DFFF at index 1", () -> TaskSpec.builder("x").environment(Map.of("B\uDFFF", "v")));
        assertMessage(IllegalArgumentException.class, "argv[1] contains a NUL character at index 1",
                () -> TaskSpec.builder("x", "a\0"));
        // a well-formed pair is one character, and fine
        assertEquals("\uD83D\uDE00", TaskSpec.builder("echo", "\uD83D\uDE00").build().argv().get(1));
    }

    @Test
    void toStringShortensLongArguments() {
        assertEquals("TaskSpec{[echo, " + "a".repeat(200) + "...(800 more chars)]}",
                TaskSpec.builder("echo", "a".repeat(1000)).build().toString());
    }
}
