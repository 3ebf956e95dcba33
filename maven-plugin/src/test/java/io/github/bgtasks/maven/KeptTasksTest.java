package io.github.bgtasks.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.Test;

/** Where an execution's kept tasks are recorded: one directory per project and id, also under a shared root. */
class KeptTasksTest {

    private static MavenProject project(String artifactId, String dir) {
        MavenProject p = new MavenProject();
        p.setArtifactId(artifactId);
        p.setFile(new File(dir, "pom.xml"));
        return p;
    }

    @Test
    void eachProjectAndIdHasItsOwnDirectoryUnderTheRoot() {
        File root = new File("/tmp/root");
        Path a = KeptTasks.directory(root, project("app", "/work/a"), "default");
        Path b = KeptTasks.directory(root, project("app", "/work/b"), "default");
        Path other = KeptTasks.directory(root, project("app", "/work/a"), "db");

        assertTrue(a.toString().matches("/tmp/root/app-[0-9a-f]{12}/default"), a.toString());
        assertNotEquals(a.getParent(), b.getParent(), "two checkouts of one project never share a directory");
        assertEquals(a.getParent(), other.getParent());
        assertEquals(a, KeptTasks.directory(root, project("app", "/work/a"), "default"));
    }

    @Test
    void anIdThatCannotNameADirectoryIsRejected() {
        for (String id : new String[] {"..", "a/b", "", " x", ".hidden"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> KeptTasks.directory(null, project("app", "/work/a"), id));
            assertTrue(e.getMessage().startsWith("<id> must be letters, digits"), e.getMessage());
        }
    }
}
