package io.github.bgtasks.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the README's example project ({@code examples/maven-project}) with {@code mvn verify} and checks its output. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExampleProjectIT {

    @Test
    void theExampleProjectsIntegrationTestRunsAgainstTheServerThePluginStarted() throws Exception {
        MavenBuild.Result r = MavenBuild.copy(Path.of(System.getProperty("it.example"))).run("verify");

        assertEquals(0, r.exit(), r.output());
        r.assertContains("bgtasks: 1 task(s) ready: [web]");
        r.assertContains("GreetingIT: http://127.0.0.1:");
        r.assertContains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0");
        r.assertContains("bgtasks: stopped task 'web': web STOPPED");
        r.assertContains("BUILD SUCCESS");
    }
}
