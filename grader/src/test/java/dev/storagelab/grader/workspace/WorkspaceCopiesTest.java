package dev.storagelab.grader.workspace;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.storagelab.grader.grade.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lab's build seeded from the reference holds what the labs' builds, hidden tests and benchmarks
 * read, and nothing else: not the notes, the grader's sources or earlier results, and the build
 * output of the labs it does not build again, none of the labs it builds. A whole copy of the
 * workspace keeps all of it. (That the graded builds still pass in seeds is every grading test's
 * proof.)
 */
class WorkspaceCopiesTest {

    @TempDir
    Path tmp;

    @Test
    void aSeedLeavesOutWhatNoLabBuildOrRunReadsAndAWholeCopyKeepsIt() throws IOException {
        Path ws = workspace();
        Workspace workspace = Workspace.at(ws);
        Path copy = tmp.resolve("copy");
        WorkspaceCopies.copy(workspace, copy);
        assertThat(
                "a whole copy keeps the notes: a lab's own test may read what they quote",
                Files.isRegularFile(copy.resolve("notes/01-sorted-logs.md")),
                is(true));
        assertThat(
                "and the grader's sources: the release's build compiles them",
                Files.isRegularFile(copy.resolve("grader/src/main/java/dev/storagelab/grader/grade/Grader.java")),
                is(true));

        Path seed = tmp.resolve("seed");
        WorkspaceCopies.seed(workspace, ws, seed, List.of(workspace.lab("02")));
        for (String kept : List.of(
                "pom.xml", "lab-01-calc/pom.xml", "lab-02-twice/pom.xml", "grader/pom.xml", Rubric.PATH, "README.md")) {
            assertThat(kept + " is in the seed", Files.isRegularFile(seed.resolve(kept)), is(true));
        }
        for (String left : List.of(
                "notes/01-sorted-logs.md",
                "notes/data/figure.csv",
                "grader/src/main/java/dev/storagelab/grader/grade/Grader.java",
                "storagelab-out/grade.json")) {
            assertThat(left + " is left out of the seed", Files.exists(seed.resolve(left)), is(false));
        }
    }

    @Test
    void aSeedCarriesTheBuildOutputOfTheLabsItDoesNotBuildAgainOnly() throws IOException {
        // the workspace stands for the reference as built: every lab's classes beside its sources
        Path reference = workspace();
        Workspace workspace = Workspace.at(reference);

        Path seed = tmp.resolve("seed-02");
        WorkspaceCopies.seed(workspace, reference, seed, List.of(workspace.lab("02")));
        assertThat(
                "lab-01 is not built again: its classes come with the seed",
                Files.isRegularFile(seed.resolve("lab-01-calc/target/classes/fixture/calc/Calc.class")),
                is(true));
        assertThat(
                "lab-02 is built again: none of its old output",
                Files.exists(seed.resolve("lab-02-twice/target")),
                is(false));
        assertThat(Files.isRegularFile(seed.resolve("lab-02-twice/pom.xml")), is(true));

        Path seed01 = tmp.resolve("seed-01");
        WorkspaceCopies.seed(workspace, reference, seed01, List.of(workspace.lab("01")));
        assertThat(
                "lab-02 builds on lab-01, so it is built again too",
                Files.exists(seed01.resolve("lab-02-twice/target"))
                        || Files.exists(seed01.resolve("lab-01-calc/target")),
                is(false));
    }

    /** The fixture workspace with notes, grader sources, an earlier grading's results and built classes. */
    private Path workspace() throws IOException {
        Path ws = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws")));
        for (String file : List.of(
                "notes/01-sorted-logs.md",
                "notes/data/figure.csv",
                "grader/pom.xml",
                "grader/src/main/java/dev/storagelab/grader/grade/Grader.java",
                "storagelab-out/grade.json",
                "lab-01-calc/target/classes/fixture/calc/Calc.class",
                "lab-02-twice/target/classes/fixture/twice/Twice.class")) {
            Files.createDirectories(ws.resolve(file).getParent());
            Files.writeString(ws.resolve(file), file);
        }
        return ws;
    }
}
