package io.github.bgtasks.apicheck;

import java.io.File;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Member;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The build's check of a library module, run in its {@code verify} phase:
 * <ol>
 * <li>the module descriptor resolves on the module path, with its runtime dependencies, and
 * each service it {@code provides} is found by {@link ServiceLoader} in that layer;
 * <li>the public surface (public and protected signatures of the packages the module exports
 * to everyone) matches the checked-in baseline, {@code api/<artifactId>.api};
 * <li>the module's packages have no dependency cycle, by {@code jdeps} ({@link PackageCycles}).
 * </ol>
 * The surface is read from the classes as the module layer loads them, so a package that is not
 * exported, or exported only to bgtasks' own modules, is not part of it. A deliberate change is
 * recorded by building with {@code -Dbgtasks.updateApi=true} and committing the baseline's diff
 * (OkHttp's {@code .api} files, for Maven and without a previous release to compare with).
 *
 * <p>Arguments: the module name, its classes directory, the baseline file, and its runtime
 * class path (separated by the platform's path separator; may be empty).
 */
public final class ApiCheck {
    private ApiCheck() {
    }

    /**
     * Runs the check; exits with status 1 when it fails.
     *
     * @param args module name, classes directory, baseline file, runtime class path
     * @throws Exception when the module cannot be read at all
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 4) {
            System.err.println("usage: ApiCheck <module> <classes dir> <baseline file> [<runtime class path>]");
            System.exit(2);
        }
        String name = args[0];
        Path classes = Path.of(args[1]);
        Path baseline = Path.of(args[2]);
        List<Path> path = new ArrayList<>(List.of(classes));
        if (args.length == 4) {
            Stream.of(args[3].split(File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of).forEach(path::add);
        }
        List<String> problems = new ArrayList<>();
        checkCycles(classes, args.length == 4 ? args[3] : "", problems);
        ModuleLayer layer = resolve(name, path, problems);
        if (layer != null) {
            Module module = layer.findModule(name).orElseThrow();
            checkServices(layer, module, problems);
            checkSurface(module, classes, baseline, problems);
        }
        if (!problems.isEmpty()) {
            System.err.println("[bgtasks api-check] module " + name + ":\n  " + String.join("\n  ", problems));
            System.exit(1);
        }
    }

    private static void checkCycles(Path classes, String modulePath, List<String> problems) throws IOException {
        for (List<String> cycle : PackageCycles.find(PackageCycles.graph(classes, modulePath))) {
            problems.add("a package dependency cycle: " + String.join(" -> ", cycle)
                    + "; dependencies run one way only (facade -> engine -> SPI -> internal): move the type that"
                    + " points back up, or give the lower package its own narrower type"
                    + " (jdeps -verbose:package " + classes + " shows each edge)");
        }
    }

    /** Resolves the module and what it requires and binds its services, as the JVM would at start. */
    private static ModuleLayer resolve(String name, List<Path> path, List<String> problems) {
        try {
            ModuleFinder finder = ModuleFinder.of(path.toArray(Path[]::new));
            if (finder.find(name).isEmpty()) {
                problems.add(path.get(0) + " holds no module " + name + ": is module-info.java missing or named otherwise?");
                return null;
            }
            Configuration cf = ModuleLayer.boot().configuration().resolveAndBind(finder, ModuleFinder.of(), Set.of(name));
            // The platform loader as parent: nothing of the build's class path leaks in.
            return ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        } catch (RuntimeException e) { // FindException, ResolutionException, LayerInstantiationException
            problems.add("the module descriptor does not resolve: " + e.getMessage());
            return null;
        }
    }

    private static void checkServices(ModuleLayer layer, Module module, List<String> problems) {
        for (ModuleDescriptor.Provides p : module.getDescriptor().provides()) {
            Class<?> service = load(layer, p.service());
            if (service == null) {
                problems.add("the service " + p.service() + " is not in any module the layer resolved");
                continue;
            }
            Set<String> found = ServiceLoader.load(layer, service).stream()
                    .map(provider -> provider.type().getName()).collect(Collectors.toSet());
            for (String impl : p.providers()) {
                if (!found.contains(impl)) {
                    problems.add("ServiceLoader does not find the provider " + impl + " of " + p.service() + "; found " + found);
                }
            }
        }
    }

    private static Class<?> load(ModuleLayer layer, String className) {
        for (Module m : layer.modules()) {
            String pkg = className.substring(0, className.lastIndexOf('.'));
            if (m.getPackages().contains(pkg)) {
                return Class.forName(m, className);
            }
        }
        return null;
    }

    private static void checkSurface(Module module, Path classes, Path baseline, List<String> problems) throws IOException {
        List<String> actual = signatures(module, classes);
        if (Boolean.getBoolean("bgtasks.updateApi")) {
            Files.createDirectories(baseline.toAbsolutePath().getParent());
            Files.write(baseline, actual);
            System.out.println("[bgtasks api-check] wrote " + baseline + " (" + actual.size() + " lines): review and commit its diff");
            return;
        }
        List<String> expected = Files.exists(baseline) ? Files.readAllLines(baseline) : List.of();
        if (!actual.equals(expected)) {
            List<String> added = new ArrayList<>(actual);
            added.removeAll(expected);
            List<String> removed = new ArrayList<>(expected);
            removed.removeAll(actual);
            problems.add("the public API differs from " + baseline + "; if that is intended, build with "
                    + "-Dbgtasks.updateApi=true and commit the file"
                    + "\n    added:   " + String.join("\n             ", added)
                    + "\n    removed: " + String.join("\n             ", removed));
        }
    }

    /** @return one sorted line per public type and per public or protected member of an exported package */
    static List<String> signatures(Module module, Path classes) throws IOException {
        Set<String> exported = new LinkedHashSet<>();
        module.getDescriptor().exports().stream().filter(e -> !e.isQualified()).forEach(e -> exported.add(e.source()));
        TreeSet<String> lines = new TreeSet<>();
        for (String pkg : exported) {
            Path dir = classes.resolve(pkg.replace('.', '/'));
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(f -> f.toString().endsWith(".class")).toList();
            }
            for (Path file : files) {
                String simple = file.getFileName().toString().replaceAll("\\.class$", "");
                Class<?> type = Class.forName(module, pkg + "." + simple);
                if (type == null || !isVisible(type)) {
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
