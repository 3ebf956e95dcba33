package io.github.bgtasks.watch;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * Which files a task in watch mode watches, and how it waits for a burst of changes to end.
 *
 * <pre>{@code
 * TaskSpec.builder("npm", "test").name("tests")
 *         .watch(WatchSpec.builder(Path.of("src"), Path.of("test"))
 *                 .include("*.js", "*.json")
 *                 .exclude("fixtures/generated/**")
 *                 .debounce(Duration.ofMillis(300))
 *                 .build())
 *         .build();
 * }</pre>
 *
 * <p><b>Paths</b>: directories (watched with everything below them, unless
 * {@link Builder#recursive(boolean) recursive(false)}) or single files. <b>Globs</b> use
 * {@link java.nio.file.FileSystem#getPathMatcher Java's glob syntax}: a glob without {@code /}
 * matches the file name ({@code *.java}); one with {@code /} matches the path relative to the
 * watched directory ({@code src/main/**}). A changed file counts if it matches an include glob
 * (or there are none) and no exclude glob. <b>Always ignored</b>: the instance's log directory,
 * and, unless {@link Builder#defaultExcludes(boolean) defaultExcludes(false)}, anything inside a
 * directory named as in {@link #DEFAULT_EXCLUDED_DIRECTORIES} ({@code .git}, {@code target},
 * {@code build}, {@code node_modules}...) and editors' scratch files
 * ({@code *.swp}, {@code *.swx}, {@code *~}, {@code .#*}, {@code 4913}).
 *
 * <p>This class is immutable and thread-safe.
 */
public final class WatchSpec {
    /** The directories of build outputs, dependencies and version control that are never watched by default. */
    public static final Set<String> DEFAULT_EXCLUDED_DIRECTORIES = Set.of(".git", ".hg", ".svn", "target", "build",
            "out", "dist", "node_modules", ".gradle", ".idea", "__pycache__", ".venv");
    /** The editors' scratch files that are never watched by default. */
    public static final List<String> DEFAULT_EXCLUDED_FILES = List.of("*.swp", "*.swx", "*~", ".#*", "4913");
    /** The default debounce. */
    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(300);

    private final List<Path> paths;
    private final boolean recursive;
    private final List<String> include;
    private final List<String> exclude;
    private final boolean defaultExcludes;
    private final Duration debounce;

    private WatchSpec(Builder b) {
        this.paths = List.copyOf(b.paths);
        this.recursive = b.recursive == null || b.recursive;
        this.include = List.copyOf(b.include);
        this.exclude = List.copyOf(b.exclude);
        this.defaultExcludes = b.defaultExcludes == null || b.defaultExcludes;
        this.debounce = b.debounce != null ? b.debounce : DEFAULT_DEBOUNCE;
    }

    /**
     * Starts a spec that watches the given paths.
     *
     * @param paths directories or files, at least one; relative ones are resolved against the
     *     JVM's working directory when the task starts
     * @return a new builder
     * @throws IllegalArgumentException if there is no path
     */
    public static Builder builder(Path... paths) {
        Objects.requireNonNull(paths, "paths must not be null");
        if (paths.length == 0) {
            throw new IllegalArgumentException("a watch needs at least one path, such as WatchSpec.builder(Path.of(\"src\"))");
        }
        return new Builder(Arrays.asList(paths));
    }

    /** @return the watched paths, as given */
    public List<Path> paths() {
        return paths;
    }

    /** @return whether directories are watched with everything below them; default {@code true} */
    public boolean recursive() {
        return recursive;
    }

    /** @return the include globs; empty means every file */
    public List<String> include() {
        return include;
    }

    /** @return the exclude globs */
    public List<String> exclude() {
        return exclude;
    }

    /** @return whether build outputs, version control and editors' scratch files are ignored; default {@code true} */
    public boolean defaultExcludes() {
        return defaultExcludes;
    }

    /** @return how long the files must stay quiet before the task runs again; default 300 ms */
    public Duration debounce() {
        return debounce;
    }

    @Override
    public String toString() {
        return "WatchSpec{" + paths + (recursive ? "" : " not recursive") + (include.isEmpty() ? "" : " include " + include)
                + (exclude.isEmpty() ? "" : " exclude " + exclude) + (defaultExcludes ? "" : " no default excludes")
                + " debounce " + debounce.toMillis() + " ms}";
    }

    /** Configures a {@link WatchSpec}. Each option may be set once. This class is not thread-safe. */
    public static final class Builder {
        private final List<Path> paths = new ArrayList<>();
        private Boolean recursive;
        private final List<String> include = new ArrayList<>();
        private final List<String> exclude = new ArrayList<>();
        private boolean includeSet;
        private boolean excludeSet;
        private Boolean defaultExcludes;
        private Duration debounce;

        private Builder(List<Path> paths) {
            for (Path p : paths) {
                this.paths.add(Objects.requireNonNull(p, "a watched path must not be null"));
            }
        }

        /**
         * Chooses whether directories are watched with everything below them.
         *
         * @param yes default {@code true}
         * @return this builder
         */
        public Builder recursive(boolean yes) {
            if (recursive != null) {
                throw new IllegalStateException("recursive was already set to " + recursive);
            }
            this.recursive = yes;
            return this;
        }

        /**
         * Watches only files that match one of these globs.
         *
         * @param globs such as {@code "*.java"} or {@code "src/**"}
         * @return this builder
         * @throws IllegalArgumentException if a glob is not valid; the message names it
         */
        public Builder include(String... globs) {
            if (includeSet) {
                throw new IllegalStateException("include was already set to " + include);
            }
            includeSet = true;
            include.addAll(checked(globs, "include"));
            return this;
        }

        /**
         * Ignores files that match one of these globs.
         *
         * @param globs such as {@code "*.tmp"} or {@code "docs/**"}
         * @return this builder
         * @throws IllegalArgumentException if a glob is not valid; the message names it
         */
        public Builder exclude(String... globs) {
            if (excludeSet) {
                throw new IllegalStateException("exclude was already set to " + exclude);
            }
            excludeSet = true;
            exclude.addAll(checked(globs, "exclude"));
            return this;
        }

        /**
         * Chooses whether build outputs, version control and editors' scratch files are ignored
         * (see {@link WatchSpec}).
         *
         * @param yes default {@code true}
         * @return this builder
         */
        public Builder defaultExcludes(boolean yes) {
            if (defaultExcludes != null) {
                throw new IllegalStateException("default excludes was already set to " + defaultExcludes);
            }
            this.defaultExcludes = yes;
            return this;
        }

        /**
         * Sets how long the files must stay quiet after a change before the task runs again, so
         * that a burst of saves (a formatter, a checkout) restarts it once.
         *
         * @param quiet a positive duration; default 300 ms
         * @return this builder
         */
        public Builder debounce(Duration quiet) {
            Objects.requireNonNull(quiet, "debounce must not be null");
            if (quiet.isNegative() || quiet.isZero()) {
                throw new IllegalArgumentException("debounce must be positive, was " + quiet);
            }
            if (debounce != null) {
                throw new IllegalStateException("debounce was already set to " + debounce);
            }
            this.debounce = quiet;
            return this;
        }

        /** @return the spec */
        public WatchSpec build() {
            return new WatchSpec(this);
        }

        private static List<String> checked(String[] globs, String what) {
            Objects.requireNonNull(globs, what + " globs must not be null");
            List<String> out = new ArrayList<>();
            for (String g : globs) {
                Objects.requireNonNull(g, what + " glob must not be null");
                if (g.isEmpty()) {
                    throw new IllegalArgumentException(what + " glob must not be empty");
                }
                try {
                    PathMatcher unused = FileSystems.getDefault().getPathMatcher("glob:" + g);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException(what + " glob '" + g + "' is not valid: " + e.getDescription(), e);
                }
                out.add(g);
            }
            return out;
        }
    }
}
