package io.github.bgtasks.junit5.samples;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** The main class of a child test JVM: runs the test class named by the first argument with the JUnit Platform launcher. */
public final class ChildLauncher {
    private ChildLauncher() {
    }

    /** @param args the test class's name */
    public static void main(String[] args) throws Exception {
        Launcher launcher = LauncherFactory.create();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(Class.forName(args[0]))).build());
    }
}
