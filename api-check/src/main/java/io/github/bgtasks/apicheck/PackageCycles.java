package io.github.bgtasks.apicheck;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds dependency cycles among a module's own packages: the JDK's {@code jdeps} gives the
 * package graph of the compiled classes, and a search for strongly connected components finds
 * each group of packages that reach one another. Dependencies run one way only in bgtasks
 * (facade, engine, SPI, internal), so any such group is a mistake.
 */
final class PackageCycles {
    /** A jdeps edge: {@code   <from>   -> <to>   <module or "not found">}. */
    private static final Pattern EDGE = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)\\s+.*$");

    private PackageCycles() {
    }

    /**
     * Runs jdeps over a classes directory.
     *
     * @param classes the module's classes (with its {@code module-info.class})
     * @param modulePath its runtime dependencies, joined with the path separator; may be empty
     * @return each of the module's packages with the module's packages it uses
     */
    static Map<String, Set<String>> graph(Path classes, String modulePath) throws IOException {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new IllegalStateException(
                "this JVM has no jdeps (module jdk.jdeps): run the build on a full JDK"));
        List<String> args = new ArrayList<>(List.of("-verbose:package", "--multi-release", "17"));
        if (!modulePath.isBlank()) {
            args.addAll(List.of("--module-path", modulePath));
        }
        args.add(classes.toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = jdeps.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
        if (status != 0) {
            throw new IllegalStateException("jdeps " + String.join(" ", args) + " failed (" + status + "): " + err + out);
        }
        return parse(out.toString(), packages(classes));
    }

    /** @return the packages that hold at least one class under {@code classes} */
    static Set<String> packages(Path classes) throws IOException {
        try (Stream<Path> s = Files.walk(classes)) {
            return s.filter(f -> f.toString().endsWith(".class") && !f.getFileName().toString().equals("module-info.class"))
                    .map(f -> classes.relativize(f.getParent()).toString().replace(f.getFileSystem().getSeparator(), "."))
                    .filter(p -> !p.isEmpty() && !p.startsWith("META-INF"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /**
     * Reads jdeps' {@code -verbose:package} output.
     *
     * @param own the packages to keep: edges to or from anything else are dropped
     * @return each package of {@code own} with the others of {@code own} it uses
     */
    static Map<String, Set<String>> parse(String jdepsOutput, Set<String> own) {
        Map<String, Set<String>> graph = new TreeMap<>();
        own.forEach(p -> graph.put(p, new TreeSet<>()));
        for (String line : jdepsOutput.split("\\R")) {
            Matcher m = EDGE.matcher(line);
            if (m.matches() && own.contains(m.group(1)) && own.contains(m.group(2)) && !m.group(1).equals(m.group(2))) {
                graph.get(m.group(1)).add(m.group(2));
            }
        }
        return graph;
    }

    /**
     * Finds the cycles: one per group of packages that reach one another (Tarjan's strongly
     * connected components), the shortest from the group's first package back to itself.
     *
     * @return each cycle as its packages, the first repeated at the end; empty when there is none
     */
    static List<List<String>> find(Map<String, Set<String>> graph) {
        List<List<String>> cycles = new ArrayList<>();
        for (Set<String> group : components(graph)) {
            if (group.size() > 1) {
                cycles.add(shortestCycle(graph, group));
            }
        }
        return cycles;
    }

    private static List<Set<String>> components(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, out);
            }
        }
        return out;
    }

    // Recursive: a module has tens of packages, not thousands.
    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
            Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<Set<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> group = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                group.add(w);
            } while (!w.equals(v));
            out.add(group);
        }
    }

    /** Breadth first from the group's first package back to it, inside the group. */
    private static List<String> shortestCycle(Map<String, Set<String>> graph, Set<String> group) {
        String start = group.iterator().next();
        Map<String, String> parent = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String v = queue.poll();
            for (String w : graph.getOrDefault(v, Set.of())) {
                if (w.equals(start)) {
                    List<String> path = new ArrayList<>(List.of(start));
                    for (String u = v; !u.equals(start); u = parent.get(u)) {
                        path.add(1, u);
                    }
                    path.add(start);
                    return path;
                }
                if (group.contains(w) && !parent.containsKey(w)) {
                    parent.put(w, v);
                    queue.add(w);
                }
            }
        }
        throw new AssertionError("a strongly connected group without a cycle: " + group);
    }
}
