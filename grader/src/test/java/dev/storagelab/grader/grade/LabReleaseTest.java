package dev.storagelab.grader.grade;

import static dev.storagelab.grader.grade.Fixtures.cli;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.storagelab.grader.release.Exporter;
import dev.storagelab.grader.report.GradeReport;
import dev.storagelab.grader.report.GradeReport.LabResult;
import dev.storagelab.grader.workspace.FileTrees;
import dev.storagelab.grader.workspace.LabBuild;
import dev.storagelab.grader.workspace.Workspace;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A course that goes lab by lab, on the fixture workspace: {@code ./storagelab test} runs one
 * lab's or one task's public tests with a line per task, even while an earlier lab is unfinished;
 * {@code export --solved} gives labs out with the reference code, and grading that release grades
 * only the others.
 */
class LabReleaseTest {

    @TempDir
    static Path tmp;

    private static Path workspace;

    @BeforeAll
    static void fixture() throws IOException {
        workspace = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws")));
    }

    private static Path export(String name, String... solved) throws IOException {
        Path release = tmp.resolve(name);
        new Exporter(Workspace.at(workspace)).export(release, Set.of(solved));
        return release;
    }

    private static List<String> taskLines(String out) {
        return out.lines().filter(l -> l.matches("^(T\\d+|other)\\s.*")).toList();
    }

    @Test
    void testVerbPrintsALinePerTaskWithTheNotImplementedMessage() throws IOException {
        Path release = export("release-test");
        Fixtures.CliRun all = cli(release, "test", "--lab", "01", "--offline");
        assertThat(all.out() + all.err(), all.exit(), is(1));
        List<String> lines = taskLines(all.out());
        assertThat(all.out(), lines, hasSize(2));
        assertThat(lines.get(0), containsString("AddTest"));
        assertThat(lines.get(0), containsString("0/2"));
        assertThat(
                lines.get(0), containsString("lab-01 T1 Calc.add is not implemented yet (lab-01-calc/README.md#t1)"));
        assertThat(lines.get(1), containsString("lab-01 T2 Calc.multiply is not implemented yet"));
        assertThat(all.out(), containsString("lab-01: 0 of 2 tasks pass; their tests: 0 of 3 pass"));

        Fixtures.CliRun one = cli(release, "test", "--lab", "01", "--task", "t2", "--offline");
        assertThat(one.exit(), is(1));
        assertThat("only T2's tests ran", taskLines(one.out()), hasSize(1));
        assertThat(one.out(), containsString("lab-01 T2: does not pass yet (0 of 1 tests pass)"));

        Fixtures.CliRun unknown = cli(release, "test", "--lab", "01", "--task", "T9");
        assertThat(unknown.exit(), is(2));
        assertThat(unknown.err(), containsString("lab-01 has no task T9; its tasks are [T1, T2]"));
    }

    @Test
    void testVerbRunsALaterLabWhileAnEarlierLabIsUnfinished() throws IOException {
        Path release = export("release-later");
        // lab-02 done, lab-01 not: lab-02's tests run (and fail through lab-01), lab-01's tests do not stop them.
        Files.copy(
                workspace.resolve("lab-02-twice/src/main/java/fixture/twice/Twice.java"),
                release.resolve("lab-02-twice/src/main/java/fixture/twice/Twice.java"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Fixtures.CliRun run = cli(release, "test", "--lab", "02", "--offline");
        assertThat(run.out() + run.err(), run.exit(), is(1));
        assertThat(taskLines(run.out()), contains(containsString("lab-01 T")));
        assertThat(run.out(), containsString("lab-02: 0 of 1 tasks pass; their tests: 0 of 1 pass"));

        Fixtures.CliRun reference = cli(copyOf(workspace, "ws-tests"), "test", "--lab", "02", "--offline");
        assertThat(reference.out() + reference.err(), reference.exit(), is(0));
        assertThat(taskLines(reference.out()), contains(containsString("1/1")));
    }

    @Test
    void solvedLabsKeepTheReferenceCodeAndGradingTheReleaseGradesOnlyTheOthers() throws IOException {
        Path release = export("release-solved", "01");
        String calc = Files.readString(release.resolve("lab-01-calc/src/main/java/fixture/calc/Calc.java"));
        assertThat(calc, not(containsString("NotImplementedException")));
        assertThat(calc, not(containsString("BEGIN SOLUTION")));
        assertThat(calc, containsString("return a + b;"));
        assertThat(
                Files.readString(release.resolve("lab-02-twice/src/main/java/fixture/twice/Twice.java")),
                containsString("lab-02\", \"T1\""));
        assertThat(Exporter.solvedLabs(release), equalTo(Set.of("lab-01")));

        // The student's own check of the release: lab-01 is not graded, lab-02 is, as local checks.
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        GradeReport local = new Grader(
                        Workspace.at(release), new PrintStream(progress, true, StandardCharsets.UTF_8), true)
                .grade(null, List.of(), Grader.Mode.ISOLATED, Files.createTempDirectory(tmp, "scratch"));
        assertThat(local.isolated().stream().map(LabResult::lab).toList(), contains("lab-02"));
        assertThat(
                "in a release the code graded is the student's", local.submission(), containsString("your submission"));
        assertThat(progress.toString(StandardCharsets.UTF_8), containsString("building your submission's [lab-02]"));
        assertThat(progress.toString(StandardCharsets.UTF_8), not(containsString("the reference")));
        assertThat(local.isolated().get(0).tests().get(0).outcome().message(), containsString("lab-02 T1"));

        // With lab-02 written, its tests pass on the lab-01 the release gave out.
        Files.copy(
                workspace.resolve("lab-02-twice/src/main/java/fixture/twice/Twice.java"),
                release.resolve("lab-02-twice/src/main/java/fixture/twice/Twice.java"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Fixtures.CliRun run = cli(release, "test", "--lab", "02", "--offline");
        assertThat(run.out() + run.err(), run.exit(), is(0));

        // The instructor grades lab-02 of that submission with the hidden tests: full marks.
        GradeReport graded = new Grader(Workspace.at(workspace), new PrintStream(OutputStream.nullOutputStream()), true)
                .perf(false)
                .grade(release, List.of("02"), Grader.Mode.ISOLATED, Files.createTempDirectory(tmp, "scratch"));
        assertThat(graded.isolated().get(0).percent(), closeTo(100.0, 1e-9));
    }

    /** The student's lab-02: right, through lab-01's add and multiply, but for twice the sum of nothing. */
    private static final String TWICE_WITH_A_BUG = """
            package fixture.twice;

            import fixture.calc.Calc;

            public final class Twice {

                private Twice() {
                }

                public static int twiceSum(int a, int b) {
                    if (a == 0 && b == 0) {
                        return 1;
                    }
                    return Calc.multiply(2, Calc.add(a, b));
                }
            }
            """;

    /** A public test of lab-02 that reaches only lab-02's own code. */
    private static final String ZERO_TEST = """
            package fixture.twice;

            import static org.hamcrest.MatcherAssert.assertThat;
            import static org.hamcrest.Matchers.equalTo;

            import org.junit.jupiter.api.Test;

            class TwiceZeroTest {

                @Test
                void twiceNothingIsNothing() {
                    assertThat("2 * (0 + 0)", Twice.twiceSum(0, 0), equalTo(0));
                }
            }
            """;

    @Test
    void aReleasesGradeOfALaterLabSaysItRanOverTheStudentsEarlierLabsAndWhatTheyStopped() throws IOException {
        Path release = export("release-own-labs");
        // lab-02 written, with a bug of its own; lab-01 not begun
        Files.writeString(release.resolve("lab-02-twice/src/main/java/fixture/twice/Twice.java"), TWICE_WITH_A_BUG);
        Files.writeString(release.resolve("lab-02-twice/src/test/java/fixture/twice/TwiceZeroTest.java"), ZERO_TEST);
        Path handout = release.resolve("lab-02-twice/README.md");
        Files.writeString(
                handout, Files.readString(handout).replace("`TwiceTest` |", "`TwiceTest`, `TwiceZeroTest` |"));
        Path out = tmp.resolve("own-labs-out");
        Fixtures.CliRun run = cli(release, "grade", "--lab", "02", "--offline", "--out", out.toString());
        assertThat(run.out() + run.err(), run.exit(), is(0));
        String said = "of the 2 points lost, 1 went to 1 test that stopped at lab-01's T1 (not implemented yet),"
                + " 1 to lab-02's own failures";
        String differs =
                "the instructor grades each lab over the reference solution of the labs before it, not over" + " yours";
        assertThat(run.out(), containsString("each lab over your own code of the labs before it"));
        assertThat("the table says what it measured", run.out(), not(containsString("isolated")));
        assertThat("both tests of the finished lab-02 are checks", run.out(), containsString("\nlab-02   0/2 "));
        assertThat(run.out(), containsString("\n         " + said + "\n"));
        assertThat(run.out(), containsString(differs));
        assertThat(
                run.out(),
                containsString(
                        "lab-01 T1 Calc.add is not implemented yet (lab-01-calc/README.md#t1): these tests run on"
                                + " lab-01's code; finish lab-01 T1 first (./storagelab test --lab 01 --task T1)"));
        String md = Files.readString(out.resolve("report.md"));
        assertThat(md, containsString("each lab over your own code of the labs before it"));
        assertThat(md, containsString("**lab-02: " + said + ".**"));
        assertThat(md, containsString(differs));
        assertThat(md, not(containsString("isolated")));
        assertThat(Files.readString(out.resolve("grade.json")), containsString("\"mode\": \"" + GradeReport.OWN_LABS));

        // The instructor grades lab-02 of the same workspace over the reference's lab-01: the hidden
        // test that stopped at lab-01 here passes there.
        GradeReport graded = new Grader(Workspace.at(workspace), new PrintStream(OutputStream.nullOutputStream()), true)
                .perf(false)
                .grade(release, List.of("02"), Grader.Mode.ISOLATED, Files.createTempDirectory(tmp, "scratch"));
        assertThat(graded.isolated().get(0).mode(), is("isolated"));
        assertThat(graded.isolated().get(0).percent(), closeTo(100.0, 1e-9));
    }

    @Test
    void aPreparedReferenceIsReusedUntilTheWorkspaceChanges() throws IOException {
        Path ws = copyOf(workspace, "ws-prepared");
        Path build = tmp.resolve("reference-build");
        new Grader(Workspace.at(ws), new PrintStream(OutputStream.nullOutputStream()), true)
                .sharedReference(build)
                .prepareReference(List.of());
        assertThat(LabBuild.built(build, Workspace.at(ws).lab("02")), is(true));

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        GradeReport again = new Grader(Workspace.at(ws), new PrintStream(log, true, StandardCharsets.UTF_8), true)
                .perf(false)
                .sharedReference(build)
                .grade(null, List.of(), Grader.Mode.ISOLATED, Files.createTempDirectory(tmp, "scratch"));
        assertThat(again.percent(), closeTo(100.0, 1e-9));
        assertThat(log.toString(StandardCharsets.UTF_8), containsString("reusing the reference built in"));
        assertThat(
                "a prepared reference is not built again",
                log.toString(StandardCharsets.UTF_8),
                not(containsString("building the reference")));

        // An instructor edits the workspace: the old build no longer counts.
        Path hidden = ws.resolve("lab-01-calc/src/hidden/java/fixture/calc/CalcHiddenTest.java");
        Files.writeString(hidden, Files.readString(hidden) + "\n// edited\n");
        ByteArrayOutputStream log2 = new ByteArrayOutputStream();
        new Grader(Workspace.at(ws), new PrintStream(log2, true, StandardCharsets.UTF_8), true)
                .perf(false)
                .sharedReference(build)
                .grade(null, List.of("01"), Grader.Mode.ISOLATED, Files.createTempDirectory(tmp, "scratch"));
        assertThat(log2.toString(StandardCharsets.UTF_8), containsString("building the reference"));
    }

    @Test
    void aReleaseLeavesOutWhatTheWorkspacesCommandsWrote() throws IOException {
        Path ws = copyOf(workspace, "ws-with-output");
        // a grade of the reference left its report behind: hidden tests' names and messages
        Files.createDirectories(ws.resolve("storagelab-out/grade"));
        Files.writeString(ws.resolve("storagelab-out/grade/report.md"), "CalcHiddenTest#addsNegatives failed\n");
        Path release = tmp.resolve("release-without-output");
        new Exporter(Workspace.at(ws)).export(release);
        assertThat(Files.exists(release.resolve("storagelab-out")), is(false));
        assertThat("the rest is exported", Files.exists(release.resolve("README.md")), is(true));
    }

    @Test
    void aReleasesBuildHasNoFormatCheck() throws IOException {
        // The fixture workspace's root pom is the real one: the formatter's check sits in its
        // instructor regions, which the release drops, and the rest of the build stays as it is.
        String pom = Files.readString(workspace.resolve("pom.xml"), StandardCharsets.UTF_8);
        assertThat(pom, containsString("<artifactId>spotless-maven-plugin</artifactId>"));
        Path release = export("release-pom");
        String released = Files.readString(release.resolve("pom.xml"), StandardCharsets.UTF_8);
        assertThat("the release's pom names no formatter", released.contains("spotless"), is(false));
        assertThat("the release's pom has no instructor region", released.contains("INSTRUCTOR"), is(false));
        assertThat(released, containsString("<artifactId>build-helper-maven-plugin</artifactId>"));
        assertThat(
                released,
                equalTo(pom.replaceAll("(?s)\\n[ ]*<!-- BEGIN INSTRUCTOR -->\\n.*?<!-- END INSTRUCTOR -->", "")));
        assertThat(
                "a lab's pom is exported as it is",
                Files.mismatch(release.resolve("lab-01-calc/pom.xml"), workspace.resolve("lab-01-calc/pom.xml")),
                is(-1L));
    }

    private static Path copyOf(Path root, String name) throws IOException {
        Path copy = tmp.resolve(name);
        FileTrees.copy(root, copy, p -> true);
        return copy;
    }
}
