package io.github.bgtasks.health;

/**
 * Hears {@link Alert alerts}. Called on the instance's callback executor, never under a lock;
 * what it throws is logged at WARN and harms no other listener or check.
 */
@FunctionalInterface
public interface AlertListener {

    /**
     * Called once for each alert.
     *
     * @param alert the alert
     */
    void onAlert(Alert alert);
}
