package dev.storagelab.grader.workspace;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.grader.grade.Fixtures;
import dev.storagelab.grader.grade.Grader;
import dev.storagelab.grader.release.Exporter;
import dev.storagelab.grader.report.GradeReport;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The real workspace as the proofs on it use it ({@link WorkspaceProofTest} on the reference,
 * {@link WorkspaceReleaseProofTest} on the release): one grader of it per test class, whose
 * reference is this {@code mvn verify}'s own build of the labs, copied, so it is built once for
 * every proof of the class; its release, exported once; and a digest of the workspace taken before
 * them, to prove that export and grade only read it. The two classes are two, not one, so that
 * Surefire's two forks share the grades between them.
 */
public final class RealWorkspace {

    public final Workspace workspace;
    private final Path tmp;
    private final String digestBefore;
    private Path release;
    private Grader grader;

    public RealWorkspace(Path tmp) {
        this.workspace = Workspace.at(Fixtures.realWorkspace());
        this.tmp = tmp;
        this.digestBefore = Fixtures.treeDigest(workspace.root());
    }

    /** The student release, exported once. */
    synchronized Path release() throws IOException {
        if (release == null) {
            release = tmp.resolve("release");
            new Exporter(workspace).export(release);
        }
        return release;
    }

    /** {@code submission} (null: the reference) graded in {@code labs} (empty: every lab), isolated, without performance. */
    synchronized GradeReport grade(Path submission, List<String> labs) throws IOException {
        return grader().grade(submission, labs, Grader.Mode.ISOLATED, Files.createTempDirectory(tmp, "scratch"));
    }

    public synchronized Grader grader() throws IOException {
        if (grader == null) {
            // Performance is measured by the fixture's proofs and by `./storagelab grade` itself:
            // here, every lab's benchmarks twice on each side would cost minutes.
            // The reference is this `mvn verify`'s own build of the labs, copied: compiling every
            // lab again would give the same classes (the grader's copy-and-build of a whole
            // workspace is proven on the release, by WorkspaceReleaseProofTest's releaseGrader()).
            grader = new Grader(workspace, new PrintStream(OutputStream.nullOutputStream()), true)
                    .perf(false)
                    .sharedReference(Fixtures.reactorReference(workspace, tmp.resolve("reference")));
        }
        return grader;
    }

    public void assertUnmodified() {
        assertThat(
                "export and grade must only read the workspace",
                Fixtures.treeDigest(workspace.root()),
                equalTo(digestBefore));
    }
}
