package io.github.bgtasks.internal.watch;

import io.github.bgtasks.watch.WatchSpec;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * The filter of a {@link WatchSpec} on paths relative to a watched directory: a glob without
 * {@code /} matches the file name, one with {@code /} the relative path. Immutable.
 */
final class Globs {
    private final List<PathMatcher> include = new ArrayList<>();
    private final List<PathMatcher> includeNames = new ArrayList<>();
    private final List<PathMatcher> exclude = new ArrayList<>();
    private final List<PathMatcher> excludeNames = new ArrayList<>();
    private final boolean defaults;

    Globs(WatchSpec spec) {
        for (String g : spec.include()) {
            (g.contains("/") ? include : includeNames).add(matcher(g));
        }
        List<String> ex = new ArrayList<>(spec.exclude());
        if (spec.defaultExcludes()) {
            ex.addAll(WatchSpec.DEFAULT_EXCLUDED_FILES);
        }
        for (String g : ex) {
            (g.contains("/") ? exclude : excludeNames).add(matcher(g));
        }
        this.defaults = spec.defaultExcludes();
    }

    private static PathMatcher matcher(String glob) {
        return FileSystems.getDefault().getPathMatcher("glob:" + glob);
    }

    /** Whether a directory (relative) is left out with all it holds. */
    boolean skipsDirectory(Path rel) {
        if (defaults) {
            for (Path part : rel) {
                if (WatchSpec.DEFAULT_EXCLUDED_DIRECTORIES.contains(part.toString())) {
                    return true;
                }
            }
        }
        return matches(exclude, excludeNames, rel);
    }

    /** Whether a changed file (relative) counts. */
    boolean counts(Path rel) {
        if (rel.getNameCount() > 1 && rel.getParent() != null && skipsDirectory(rel.getParent())) {
            return false;
        }
        if (defaults && WatchSpec.DEFAULT_EXCLUDED_DIRECTORIES.contains(rel.getFileName().toString())) {
            return false; // the directory itself, created or deleted
        }
        if (matches(exclude, excludeNames, rel)) {
            return false;
        }
        return (include.isEmpty() && includeNames.isEmpty()) || matches(include, includeNames, rel);
    }

    private static boolean matches(List<PathMatcher> paths, List<PathMatcher> names, Path rel) {
        for (PathMatcher m : paths) {
            if (m.matches(rel)) {
                return true;
            }
        }
        Path name = rel.getFileName();
        for (PathMatcher m : names) {
            if (name != null && m.matches(name)) {
                return true;
            }
        }
        return false;
    }
}
