package io.github.bgtasks;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Member;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Guards the public surface: the public and protected signatures of the API and SPI packages
 * must match {@code core/api/bgtasks-core.api}. A change to the API must be deliberate: run
 * the tests with {@code -Dbgtasks.updateApi=true} to rewrite the file, and review its diff.
 * The {@code internal} packages are left out, as OkHttp's API files leave them out: they are
 * shared by bgtasks' own modules and carry no promise.
 */
class ApiSignatureTest {
    private static final Path BASELINE = Path.of("api", "bgtasks-core.api");

    @Test
    void publicApiMatchesTheBaseline() throws Exception {
        List<String> actual = signatures();
        if (Boolean.getBoolean("bgtasks.updateApi")) {
            Files.write(BASELINE, actual);
            return;
        }
        List<String> expected = Files.exists(BASELINE) ? Files.readAllLines(BASELINE) : List.of();
        if (!actual.equals(expected)) {
            List<String> added = new ArrayList<>(actual);
            added.removeAll(expected);
            List<String> removed = new ArrayList<>(expected);
            removed.removeAll(actual);
            fail("the public API changed; if that is intended, run the tests with -Dbgtasks.updateApi=true and "
                    + "commit " + BASELINE + "\n  added:   " + String.join("\n           ", added)
                    + "\n  removed: " + String.join("\n           ", removed));
        }
    }

    private static List<String> signatures() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(BackgroundTasks.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        TreeSet<String> lines = new TreeSet<>();
        List<Path> classFiles;
        try (Stream<Path> files = Files.walk(root.resolve("io/github/bgtasks"))) {
            classFiles = files.filter(f -> f.toString().endsWith(".class")).toList();
        }
        for (Path file : classFiles) {
            String name = root.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
            Class<?> type = Class.forName(name, false, ApiSignatureTest.class.getClassLoader());
            if (!isVisible(type) || type.getPackageName().contains(".internal")) {
                continue;
            }
            lines.add(type.getName() + " : " + Modifier.toString(type.getModifiers()) + " "
                    + (type.isInterface() ? "interface" : type.isEnum() ? "enum" : "class"));
            Stream.of(type.getDeclaredConstructors(), type.getDeclaredMethods(), type.getDeclaredFields())
                    .flatMap(Stream::of)
                    .map(m -> (Member) m)
                    .filter(m -> !m.isSynthetic() && (Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers())))
                    .forEach(m -> lines.add(type.getName() + " : " + m));
        }
        return new ArrayList<>(lines);
    }

    private static boolean isVisible(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass()) {
                return false;
            }
        }
        return true;
    }
}
