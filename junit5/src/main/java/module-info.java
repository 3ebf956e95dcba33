/**
 * The JUnit 5 extension of bgtasks: {@link io.github.bgtasks.junit5.BackgroundTasksExtension}
 * starts background tasks before tests, waits until they are ready and stops their process trees
 * after them.
 */
module io.github.bgtasks.junit5 {
    requires transitive io.github.bgtasks;
    requires transitive org.junit.jupiter.api;

    exports io.github.bgtasks.junit5;
}
