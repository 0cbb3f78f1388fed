package dev.storagelab.grader.submission;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.grader.grade.Fixtures;
import dev.storagelab.grader.release.Exporter;
import dev.storagelab.grader.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A release's marker holds a line for each file the release gave out, so it grows with the
 * workspace: a submission's marker as large as a release of the most files a submission may hold
 * is taken whole, and only one past the bound is refused, with its size.
 */
class ReleaseMarkerTest {

    @TempDir
    Path tmp;

    /** A submission of lab-01's fixture code, its marker {@code lines} lines of {@code width} bytes each. */
    private Path submissionWithMarker(Workspace ws, int lines, int width) throws IOException {
        Path submission = tmp.resolve("submission");
        Path calc = Path.of(ws.lab("01").studentSources()).resolve("fixture/calc/Calc.java");
        Files.createDirectories(submission.resolve(calc).getParent());
        Files.copy(ws.root().resolve(calc), submission.resolve(calc));
        StringBuilder marker = new StringBuilder(lines * width);
        String digest = "0".repeat(64);
        for (int i = 0; i < lines; i++) {
            String line = "file=" + digest + " lab-01/src/main/java/fixture/calc/File" + i + ".java";
            marker.append(line)
                    .append("x".repeat(Math.max(0, width - line.length() - 1)))
                    .append('\n');
        }
        Files.writeString(submission.resolve(Exporter.RELEASE_MARKER), marker);
        return submission;
    }

    @Test
    void aMarkerOfAReleaseOfTheMostFilesIsTakenWhole() throws IOException {
        Workspace ws = Workspace.at(Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws"))));
        // the real release's lines average 125 bytes; a release of 20,000 files writes 2.4 MiB
        Path submission = submissionWithMarker(ws, Submission.MAX_TAKEN_FILES, 125);
        Submission taken = Submission.open(submission, ws, tmp.resolve("scratch"));
        assertThat(
                Files.mismatch(
                        taken.root().resolve(Exporter.RELEASE_MARKER), submission.resolve(Exporter.RELEASE_MARKER)),
                equalTo(-1L));
    }

    @Test
    void aMarkerPastTheBoundIsRefusedWithItsSize() throws IOException {
        Workspace ws = Workspace.at(Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws"))));
        Path submission = submissionWithMarker(ws, Submission.MAX_TAKEN_FILES + 1, 256);
        IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> Submission.open(submission, ws, tmp.resolve("scratch")));
        assertThat(refused.getMessage(), containsString(".storagelab-release is 5000 KiB, not the release's marker"));
    }
}
