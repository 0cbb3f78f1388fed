package dev.storagelab.grader.submission;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import dev.storagelab.grader.grade.Fixtures;
import dev.storagelab.grader.workspace.Lab;
import dev.storagelab.grader.workspace.Workspace;
import dev.storagelab.grader.workspace.WorkspaceCopies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24, item 2: a graded build takes from a submission only the files that hold solution
 * regions and the files it added; every given file stays the reference's, even one whose comments
 * mention the region markers (NotImplementedException's Javadoc does).
 */
class SubmissionOverlayTest {

    @TempDir
    Path tmp;

    @Test
    void onlyRegionFilesAndAddedFilesAreTakenFromASubmission() throws IOException {
        Path workspace = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws")));
        Workspace ws = Workspace.at(workspace);
        Lab lab = ws.lab("01");
        Path sources = Path.of(lab.studentSources());
        Path nie = sources.resolve("dev/storagelab/lab/NotImplementedException.java");
        Path calc = sources.resolve("fixture/calc/Calc.java");
        Path helper = sources.resolve("fixture/calc/Helper.java");
        assertThat(
                "the given class mentions the markers in its Javadoc, which must not make it the student's",
                Files.readString(workspace.resolve(nie)).contains("// BEGIN SOLUTION"),
                is(true));

        Path submission = tmp.resolve("submission");
        for (Path p : new Path[] {nie, calc}) {
            Files.createDirectories(submission.resolve(p).getParent());
            Files.writeString(
                    submission.resolve(p), Files.readString(workspace.resolve(p)) + "\n// changed by the student\n");
        }
        Files.writeString(submission.resolve(helper), "package fixture.calc;\nfinal class Helper {\n}\n");
        Files.writeString(submission.resolve(sources).resolve("fixture/calc/notes.txt"), "not a source\n");

        Path root = tmp.resolve("graded");
        WorkspaceCopies.copy(ws, root);
        Submission.open(submission, ws, tmp).overlay(lab, root);

        assertThat(
                "the given class is the reference's",
                Files.readString(root.resolve(nie)),
                equalTo(Files.readString(workspace.resolve(nie))));
        assertThat(
                "the file with regions is the student's",
                Files.readString(root.resolve(calc)),
                equalTo(Files.readString(submission.resolve(calc))));
        assertThat("an added source is the student's", Files.exists(root.resolve(helper)), is(true));
        assertThat(
                "only sources are taken",
                Files.exists(root.resolve(sources).resolve("fixture/calc/notes.txt")),
                is(false));
    }
}
