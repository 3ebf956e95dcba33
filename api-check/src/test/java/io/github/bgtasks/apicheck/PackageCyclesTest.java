package io.github.bgtasks.apicheck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageCyclesTest {

    /** The cycle the health slice first had, as jdeps printed it. */
    private static final String HEALTH_CYCLE = String.join("\n",
            "io.github.bgtasks",
            " [file:///work/core/target/classes/]",
            "   io.github.bgtasks                                  -> io.github.bgtasks.health                           io.github.bgtasks",
            "   io.github.bgtasks                                  -> io.github.bgtasks.internal.health                  io.github.bgtasks",
            "   io.github.bgtasks                                  -> java.lang                                          java.base",
            "   io.github.bgtasks.health                           -> io.github.bgtasks.internal                         io.github.bgtasks",
            "   io.github.bgtasks.internal.health                  -> io.github.bgtasks                                  io.github.bgtasks",
            "   io.github.bgtasks.internal.health                  -> org.slf4j                                          org.slf4j");

    @Test
    void findsTheCycleInJdepsOutputAndNamesItsPackagesInOrder() {
        Set<String> own = Set.of("io.github.bgtasks", "io.github.bgtasks.health", "io.github.bgtasks.internal",
                "io.github.bgtasks.internal.health");
        Map<String, Set<String>> graph = PackageCycles.parse(HEALTH_CYCLE, own);
        assertEquals(Set.of("io.github.bgtasks.health", "io.github.bgtasks.internal.health"), graph.get("io.github.bgtasks"));
        assertEquals(List.of(List.of("io.github.bgtasks", "io.github.bgtasks.internal.health", "io.github.bgtasks")),
                PackageCycles.find(graph));
    }

    @Test
    void oneWayDependenciesAndOtherModulesAreNoCycle() {
        Map<String, Set<String>> graph = Map.of("a", Set.of("b", "c"), "b", Set.of("c"), "c", Set.of());
        assertEquals(List.of(), PackageCycles.find(graph));
        // An edge through a package outside the module is dropped: it cannot close a cycle here.
        assertEquals(Set.of(), PackageCycles.parse("   a -> x   other\n   x -> a   other", Set.of("a")).get("a"));
    }

    @Test
    void reportsEachGroupOnceWithItsShortestCycle() {
        Map<String, Set<String>> graph = Map.of(
                "a", Set.of("b"), "b", Set.of("c", "a"), "c", Set.of("a"),
                "d", Set.of("e"), "e", Set.of("d"), "f", Set.of("a"));
        assertEquals(List.of(List.of("a", "b", "a"), List.of("d", "e", "d")),
                PackageCycles.find(graph).stream().sorted((x, y) -> x.get(0).compareTo(y.get(0))).toList());
    }

    @Test
    void jdepsSeesACycleBetweenCompiledPackages(@TempDir Path dir) throws IOException {
        Path src = dir.resolve("src");
        Path classes = dir.resolve("classes");
        write(src.resolve("p/up/Api.java"), "package p.up; public class Api { p.down.Engine e; }");
        write(src.resolve("p/down/Engine.java"), "package p.down; public class Engine { p.up.Api back; }");
        write(src.resolve("p/side/Util.java"), "package p.side; public class Util { p.up.Api a; }");
        int status = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                src.resolve("p/up/Api.java").toString(), src.resolve("p/down/Engine.java").toString(),
                src.resolve("p/side/Util.java").toString());
        assertEquals(0, status, "javac");

        Map<String, Set<String>> graph = PackageCycles.graph(classes, "");

        assertEquals(Set.of("p.up", "p.down", "p.side"), graph.keySet());
        assertEquals(List.of(List.of("p.down", "p.up", "p.down")), PackageCycles.find(graph));
        // Cut the edge back up: no cycle.
        Files.delete(classes.resolve("p/down/Engine.class"));
        write(src.resolve("p/down/Engine.java"), "package p.down; public class Engine { }");
        ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), src.resolve("p/down/Engine.java").toString());
        assertEquals(List.of(), PackageCycles.find(PackageCycles.graph(classes, "")));
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
