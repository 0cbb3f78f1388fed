package dev.storagelab.grader.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When {@code ./storagelab workload} and {@code shell} rebuild the workbench before running it. */
class WorkbenchTest {

    @TempDir
    Path root;

    private Path jar;
    private static final FileTime OLD = FileTime.from(Instant.parse("2026-01-01T00:00:00Z"));
    private static final FileTime BUILT = FileTime.from(Instant.parse("2026-02-01T00:00:00Z"));
    private static final FileTime NEW = FileTime.from(Instant.parse("2026-03-01T00:00:00Z"));

    private Path file(String relative, FileTime time) throws IOException {
        Path f = root.resolve(relative);
        Files.createDirectories(f.getParent());
        Files.writeString(f, relative);
        Files.setLastModifiedTime(f, time);
        return f;
    }

    @BeforeEach
    void aBuiltWorkbench() throws IOException {
        file("pom.xml", OLD);
        file("lab-04-btree/pom.xml", OLD);
        file("lab-04-btree/src/main/java/A.java", OLD);
        file("workbench/src/main/java/W.java", OLD);
        file("grader/src/main/java/G.java", OLD);
        jar = file(Workbench.JAR, BUILT);
    }

    @Test
    void aJarNewerThanEverySourceIsUsedAsItIs() throws IOException {
        assertThat(Workbench.stale(root, jar), is(false));
    }

    @Test
    void aMissingJarIsBuilt() throws IOException {
        Files.delete(jar);
        assertThat(Workbench.stale(root, jar), is(true));
    }

    @Test
    void aChangedEngineSourceRebuildsIt() throws IOException {
        file("lab-04-btree/src/main/java/A.java", NEW);
        assertThat("a student's change to lab-04 must be what the workload runs", Workbench.stale(root, jar), is(true));
    }

    @Test
    void aChangedWorkbenchSourceOrPomRebuildsIt() throws IOException {
        file("workbench/src/main/java/W.java", NEW);
        assertThat(Workbench.stale(root, jar), is(true));
        file("workbench/src/main/java/W.java", OLD);
        file("pom.xml", NEW);
        assertThat(Workbench.stale(root, jar), is(true));
    }

    @Test
    void testsAndTheGraderDoNotRebuildIt() throws IOException {
        file("lab-04-btree/src/test/java/T.java", NEW);
        file("lab-04-btree/src/hidden/java/H.java", NEW);
        file("grader/src/main/java/G.java", NEW);
        assertThat(Workbench.stale(root, jar), is(false));
    }
}
