/**
 * What a bgtasks backend needs to be tested: the contract suite
 * {@link io.github.bgtasks.testkit.BackendContract}, a fake backend, virtual time and process
 * markers. Open, so that JUnit can run the suite's package-private lifecycle methods.
 */
open module io.github.bgtasks.testkit {
    requires transitive io.github.bgtasks;
    requires transitive org.junit.jupiter.api;
    requires org.mockito;

    exports io.github.bgtasks.testkit;
}
