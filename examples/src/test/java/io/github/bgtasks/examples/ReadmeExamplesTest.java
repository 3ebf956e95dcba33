package io.github.bgtasks.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README's "Examples" section names every runnable example, and only those. */
class ReadmeExamplesTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Path SOURCES = Path.of("src", "main", "java", "io", "github", "bgtasks", "examples");

    @Test
    void everyRunnableExampleHasItsOneCommandInTheReadme() throws Exception {
        String text = Files.readString(README);
        int start = text.indexOf("\n## Examples\n");
        assertTrue(start >= 0, "README.md has no '## Examples' section");
        int end = text.indexOf("\n## ", start + 1);
        String section = text.substring(start, end < 0 ? text.length() : end);

        TreeSet<String> named = new TreeSet<>();
        Matcher m = Pattern.compile("exec:exec -Dexample=(\\w+)").matcher(section);
        while (m.find()) {
            named.add(m.group(1));
        }
        for (String name : named) {
            Method main = Class.forName("io.github.bgtasks.examples." + name).getMethod("main", String[].class);
            assertTrue(Modifier.isPublic(main.getModifiers()) && Modifier.isStatic(main.getModifiers()), name);
        }
        named.add("Demo");   // the README's first line runs it, without -Dexample
        assertEquals(runnable(), named, "the README's Examples section and the classes with a main method");
    }

    private static TreeSet<String> runnable() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            List<Path> java = files.filter(f -> f.toString().endsWith(".java")).toList();
            TreeSet<String> names = new TreeSet<>();
            for (Path f : java) {
                if (Files.readString(f).contains("public static void main(String[] args)")) {
                    names.add(f.getFileName().toString().replace(".java", ""));
                }
            }
            return names;
        }
    }
}
