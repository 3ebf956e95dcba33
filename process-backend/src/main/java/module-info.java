/**
 * The process backend of bgtasks: each task a plain OS process. The API is
 * {@link io.github.bgtasks.process.ProcessBackend}; the backend is also offered to
 * {@link java.util.ServiceLoader} as the default.
 */
module io.github.bgtasks.process {
    requires transitive io.github.bgtasks;
    requires org.slf4j;

    exports io.github.bgtasks.process;

    provides io.github.bgtasks.spi.BackendProvider with io.github.bgtasks.process.ProcessBackendProvider;
}
