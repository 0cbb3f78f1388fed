package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.storagelab.grader.GradeReport.LabResult;
import dev.storagelab.grader.GradeReport.PerfResult;
import dev.storagelab.grader.GradeReport.TestResult;
import dev.storagelab.grader.TestSupervisor.Status;
import dev.storagelab.grader.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grader's robustness and isolation proofs, on a two-lab fixture workspace (lab-02 builds on
 * lab-01) that builds in seconds, graded with fixture submissions: hostile code, a deliberate
 * bug, a compile error, and submissions that cannot be understood.
 */
class FixtureGradingTest {

    @TempDir
    static Path tmp;

    private static Path workspace;
    private static String digestBefore;

    @BeforeAll
    static void buildFixture() throws IOException {
        workspace = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws")));
        digestBefore = Fixtures.treeDigest(workspace);
    }

    @AfterAll
    static void workspaceIsNeverModified() {
        assertThat(
                "grading must only ever read the instructor's workspace",
                Fixtures.treeDigest(workspace),
                equalTo(digestBefore));
    }

    private static Grader grader;

    /** Grades with one grader, so the fixture's reference is built once for every test. */
    private static synchronized GradeReport grade(Path submission, Grader.Mode mode, String... labs)
            throws IOException {
        if (grader == null) {
            grader = new Grader(Workspace.at(workspace), new PrintStream(OutputStream.nullOutputStream()), true)
                    .sharedReference(tmp.resolve("reference"));
        }
        return grader.grade(submission, List.of(labs), mode, Files.createTempDirectory(tmp, "scratch"));
    }

    private static Map<String, TestResult> byMethod(LabResult lab) {
        return lab.tests().stream().collect(Collectors.toMap(t -> t.test().methodName(), t -> t));
    }

    private static LabResult lab(List<LabResult> labs, String id) {
        return labs.stream().filter(l -> l.lab().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void referenceScoresFullMarksAndItsExportScoresZero() throws IOException {
        GradeReport ref = grade(null, Grader.Mode.BOTH);
        assertThat(ref.error(), nullValue());
        assertThat("the reference must earn every point", ref.percent(), closeTo(100.0, 1e-9));
        assertThat("11 test points and lab-01's 3 performance points", ref.max(), closeTo(14.0, 1e-9));

        Path release = tmp.resolve("release");
        new Exporter(Workspace.at(workspace)).export(release);
        GradeReport starter = grade(release, Grader.Mode.BOTH);
        assertThat("points are only ever awarded for student work", starter.earned(), closeTo(0.0, 1e-9));
        for (LabResult lab : starter.isolated()) {
            for (TestResult t : lab.tests()) {
                assertThat(
                        t.test().id() + " on the starter code",
                        t.outcome().message(),
                        containsString("is not implemented yet"));
            }
        }
    }

    @Test
    void performancePointsComeFromTheRatioToTheReferenceAndOnlyWhenEveryTestPasses() throws IOException {
        PerfResult ref = perf(grade(null, Grader.Mode.ISOLATED, "01"));
        assertThat(ref.toString(), ref.status(), equalTo(PerfResult.MEASURED));
        assertThat("the reference against itself: " + ref.message(), ref.ratio(), lessThan(2.0));
        assertThat(ref.earned(), closeTo(3.0, 1e-9));

        PerfResult slow = perf(grade(Fixtures.submission("slow-lab01"), Grader.Mode.ISOLATED, "01"));
        assertThat(slow.toString(), slow.status(), equalTo(PerfResult.MEASURED));
        assertThat(
                "BigInteger squares are many times slower than one multiply: " + slow.message(),
                slow.ratio(),
                greaterThan(4.0));
        assertThat("beyond the last threshold, nothing", slow.earned(), closeTo(0.0, 1e-9));
        assertThat(
                "the ratio is of CPU time, with wall time beside it",
                slow.message(),
                containsString("x the reference's CPU time (wall time "));

        PerfResult overflowing = perf(grade(Fixtures.submission("overflowing-lab01"), Grader.Mode.ISOLATED, "01"));
        assertThat(
                "right for 3 x 3, but the benchmark's squares overflow Math.multiplyExact: " + overflowing,
                overflowing.status(),
                equalTo(PerfResult.FAILED));
        assertThat(overflowing.message(), containsString("java.lang.ArithmeticException"));
        assertThat(overflowing.earned(), closeTo(0.0, 1e-9));

        PerfResult buggy = perf(grade(Fixtures.submission("buggy-lab01"), Grader.Mode.ISOLATED, "01"));
        assertThat("a lab with a failing test is not benchmarked", buggy.status(), equalTo(PerfResult.NOT_RUN));
        assertThat(buggy.message(), containsString("every test of lab-01"));
        assertThat(buggy.earned(), closeTo(0.0, 1e-9));
        assertThat("its points still count in the maximum", buggy.max(), closeTo(3.0, 1e-9));
    }

    private static PerfResult perf(GradeReport report) {
        List<PerfResult> perf = lab(report.isolated(), "lab-01").perf();
        assertThat("the fixture rubric names one lab-01 benchmark", perf.size(), is(1));
        return perf.get(0);
    }

    @Test
    void hostileCodeCostsOnlyTheTestThatRanIt() throws IOException {
        // the supervisor's own defences: the class scan, which would stop System.exit first, is off
        // (the same shared reference directory: whichever grader comes first builds it)
        GradeReport report = new Grader(Workspace.at(workspace), new PrintStream(OutputStream.nullOutputStream()), true)
                .sharedReference(tmp.resolve("reference"))
                .scanClasses(false)
                .grade(
                        Fixtures.submission("hostile"),
                        List.of("01"),
                        Grader.Mode.ISOLATED,
                        Files.createTempDirectory(tmp, "scratch"));
        Map<String, TestResult> t = byMethod(lab(report.isolated(), "lab-01"));
        assertOutcome(t.get("adds"), Status.TIMED_OUT, "timed out");
        assertOutcome(t.get("multiplies"), Status.CRASHED, "exited with status 0");
        assertOutcome(t.get("negates"), Status.CRASHED, "ran out of memory");
        assertOutcome(t.get("squares"), Status.FAILED, "flooded its output");
        assertOutcome(t.get("maximum"), Status.TIMED_OUT, "timed out");
        assertOutcome(t.get("absolute"), Status.FAILED, "never-ending");
        assertOutcome(t.get("minimum"), Status.PASSED, "");
        assertThat("only the correct method earns points", report.earned(), closeTo(2.0, 1e-9));
    }

    private static void assertOutcome(TestResult r, Status status, String reason) {
        assertThat(r.test().id() + ": " + r.outcome(), r.outcome().status(), equalTo(status));
        assertThat(r.test().id() + " must say why", r.outcome().message(), containsString(reason));
    }

    @Test
    void oneBuggyLabLosesPointsOnlyInThatLabWhenIsolated() throws IOException {
        GradeReport report = grade(Fixtures.submission("buggy-lab01"), Grader.Mode.BOTH);
        LabResult lab1 = lab(report.isolated(), "lab-01");
        LabResult lab2 = lab(report.isolated(), "lab-02");
        assertThat("the buggy add costs lab-01 exactly its test", lab1.earned(), closeTo(7.0, 1e-9));
        assertThat(byMethod(lab1).get("adds").outcome().status(), equalTo(Status.FAILED));
        assertThat(
                "isolated, lab-02 builds on the reference lab-01 and keeps its points",
                lab2.percent(),
                closeTo(100.0, 1e-9));
        assertThat(
                "integrated, lab-02 runs on the student's buggy lab-01",
                report.integratedFor("lab-02").percent(),
                closeTo(0.0, 1e-9));
    }

    @Test
    void labThatDoesNotCompileScoresZeroWithTheCompilerMessageAndOtherLabsStillGrade() throws IOException {
        GradeReport report = grade(Fixtures.submission("broken-lab01"), Grader.Mode.ISOLATED);
        LabResult lab1 = lab(report.isolated(), "lab-01");
        assertThat(lab1.earned(), closeTo(0.0, 1e-9));
        assertThat(lab1.problem(), containsString("does not compile"));
        assertThat(
                "the student needs the compiler's own words and the file", lab1.problem(), containsString("Calc.java"));
        assertThat(lab(report.isolated(), "lab-02").percent(), closeTo(100.0, 1e-9));
    }

    @Test
    void submissionsThatCannotBeUnderstoodGetAClearMessage() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThat(grade(empty, Grader.Mode.ISOLATED).error(), containsString("cannot find a storagelab workspace"));

        Path wrong = Files.createDirectories(tmp.resolve("wrong/src/main/java"));
        Files.writeString(wrong.resolve("Calc.java"), "class Calc {}");
        assertThat(
                grade(tmp.resolve("wrong"), Grader.Mode.ISOLATED).error(),
                containsString("expected folders like [lab-01-calc/src/main/java"));

        Path notZip = tmp.resolve("homework.txt");
        Files.writeString(notZip, "hello");
        assertThat(grade(notZip, Grader.Mode.ISOLATED).error(), containsString("not a .zip"));

        Path corrupt = tmp.resolve("corrupt.zip");
        Files.write(corrupt, new byte[] {'P', 'K', 3, 4, 9, 9, 9});
        assertThat(grade(corrupt, Grader.Mode.ISOLATED).error(), notNullValue());
    }

    @Test
    void zipWithOneNestedFolderIsUnwrappedAndGraded() throws IOException {
        Path zip = tmp.resolve("student.zip");
        Path src = Fixtures.submission("buggy-lab01");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip));
                var files = Files.walk(src)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new ZipEntry("alice-storagelab/" + src.relativize(p)));
                out.write(Files.readAllBytes(p));
                out.closeEntry();
            }
        }
        GradeReport report = grade(zip, Grader.Mode.ISOLATED, "01");
        assertThat(report.error(), nullValue());
        assertThat(lab(report.isolated(), "lab-01").earned(), closeTo(7.0, 1e-9));
    }

    @Test
    void cliWritesGradescopeJsonMarkdownAndJUnitXml() throws IOException {
        Path out = tmp.resolve("cli-out");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int exit = Main.run(
                new String[] {
                    "--workspace", workspace.toString(), "grade", "--offline", "--lab", "02", "--out", out.toString()
                },
                new PrintStream(stdout, true),
                new PrintStream(OutputStream.nullOutputStream()));
        assertThat(stdout.toString(StandardCharsets.UTF_8), exit, is(0));
        JsonObject results = JsonParser.parseString(Files.readString(out.resolve("results.json")))
                .getAsJsonObject();
        assertThat(results.get("score").getAsDouble(), closeTo(3.0, 1e-9));
        assertThat(results.has("execution_time"), is(true));
        JsonObject test = results.getAsJsonArray("tests").get(0).getAsJsonObject();
        for (String field : List.of("name", "score", "max_score", "status", "output", "visibility")) {
            assertThat("Gradescope needs tests[]." + field, test.asMap(), hasKey(field));
        }
        assertThat(test.get("output").getAsString(), containsString("Checked: twice the sum"));
        assertThat(Files.readString(out.resolve("report.md")), containsString("| lab-02 | 1 / 1 |"));
        assertThat(Files.readString(out.resolve("junit/TEST-lab-02.xml")), containsString("<testcase"));
        assertThat(
                JsonParser.parseString(Files.readString(out.resolve("grade.json")))
                        .getAsJsonObject()
                        .get("percent")
                        .getAsDouble(),
                closeTo(100.0, 1e-9));
        assertThat(
                "the terminal gets a per-lab table",
                stdout.toString(StandardCharsets.UTF_8),
                containsString("lab-02   1/1"));
    }

    @Test
    void gradescopeResultsCarryPerformanceAsATestAndTheRatioOnTheLeaderboard() throws IOException {
        Path out = tmp.resolve("cli-perf-out");
        int exit = Main.run(
                new String[] {
                    "--workspace",
                    workspace.toString(),
                    "grade",
                    "--offline",
                    "--lab",
                    "01",
                    "--isolated",
                    "--out",
                    out.toString()
                },
                new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(OutputStream.nullOutputStream()));
        assertThat(exit, is(0));
        JsonObject results = JsonParser.parseString(Files.readString(out.resolve("results.json")))
                .getAsJsonObject();
        JsonObject board = results.getAsJsonArray("leaderboard").get(0).getAsJsonObject();
        assertThat(board.get("name").getAsString(), containsString("lab-01 squares"));
        assertThat("lower is better", board.get("order").getAsString(), equalTo("asc"));
        assertThat(board.get("value").getAsDouble(), greaterThan(0.0));
        boolean listed = false;
        for (var t : results.getAsJsonArray("tests")) {
            JsonObject test = t.getAsJsonObject();
            if (test.get("name").getAsString().contains("performance: squares")) {
                listed = true;
                assertThat(test.get("max_score").getAsDouble(), closeTo(3.0, 1e-9));
                assertThat(test.get("output").getAsString(), containsString("CalcBenchmark.sumOfSquares"));
            }
        }
        assertThat("the performance points are a line of their own", listed, is(true));
        assertThat(
                Files.readString(out.resolve("report.md")), containsString("| squares `CalcBenchmark.sumOfSquares` |"));
    }

    @Test
    void internalErrorStillWritesAResultsFileThatExplainsIt() throws IOException {
        // A workspace whose reference does not build is the grader's (or the instructor's) problem.
        Path broken = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("broken-ws")));
        Path calc = broken.resolve("lab-01-calc/src/main/java/fixture/calc/Calc.java");
        Files.writeString(calc, Files.readString(calc).replace("return a + b;", "return a + b"));
        Path out = tmp.resolve("error-out");
        int exit = Main.run(
                new String[] {"--workspace", broken.toString(), "grade", "--offline", "--out", out.toString()},
                new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(OutputStream.nullOutputStream()));
        assertThat(exit, is(2));
        JsonObject results = JsonParser.parseString(Files.readString(out.resolve("results.json")))
                .getAsJsonObject();
        assertThat(results.get("score").getAsDouble(), closeTo(0.0, 1e-9));
        assertThat(
                results.get("output").getAsString(), containsString("reference workspace does not build lab-01-calc"));
    }

    @Test
    void gradeAllWritesAGradebookWithARowPerStudentAndAColumnPerLab() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("class"));
        FileTrees.copy(Fixtures.submission("buggy-lab01"), folder.resolve("alice"), p -> true);
        FileTrees.copy(Fixtures.submission("broken-lab01"), folder.resolve("bob"), p -> true);
        Files.createDirectories(folder.resolve("carol"));
        Path out = tmp.resolve("gradebook");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Map<String, GradeReport> reports = new Gradebook(Workspace.at(workspace), true, new PrintStream(progress, true))
                .gradeAll(folder, List.of(), out, 2);
        assertThat(reports.keySet(), equalTo(java.util.Set.of("alice", "bob", "carol")));
        List<String> rows = Files.readAllLines(out.resolve("gradebook.csv"));
        assertThat(rows.get(0), equalTo("student,lab-01,lab-02,points,max_points,percent,error"));
        // lab-01: 8 test points and 3 for performance, which a lab with a failing test does not earn.
        assertThat(rows.get(1), equalTo("alice,63.6,100.0,10.00,14.00,71.4,"));
        assertThat(rows.get(2), equalTo("bob,0.0,100.0,3.00,14.00,21.4,"));
        assertThat(rows.get(3), containsString("carol,,,0.00,0.00,0.0,"));
        assertThat(rows.get(3), containsString("cannot find a storagelab workspace"));
        assertThat("each student gets their own results", Files.exists(out.resolve("alice/results.json")), is(true));
        assertThat(progress.toString(StandardCharsets.UTF_8), containsString("3/3 graded"));
    }

    @Test
    void gradescopeZipHoldsSetupRunAndTheWholeWorkspace() throws IOException {
        Path zip = tmp.resolve("autograder.zip");
        GradescopePackage.write(Workspace.at(workspace), List.of("02"), zip);
        Map<String, String> entries = new java.util.HashMap<>();
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        // GradescopeLayoutTest runs both scripts; here, that the zip carries them and the lab choice.
        assertThat(entries.get("setup.sh"), containsString("openjdk-17-jdk"));
        assertThat(entries.get("setup.sh"), containsString("--prepare --lab 02"));
        assertThat(entries.get("run_autograder"), containsString("./storagelab grade \"$ROOT/submission\" --lab 02"));
        assertThat(
                "the autograder needs the hidden tests",
                entries,
                hasKey("storagelab/lab-02-twice/src/hidden/java/fixture/twice/TwiceHiddenTest.java"));
        Path again = tmp.resolve("autograder-again.zip");
        GradescopePackage.write(Workspace.at(workspace), List.of("02"), again);
        assertThat(
                "the same workspace gives the same zip", Files.readAllBytes(again), equalTo(Files.readAllBytes(zip)));
    }
}
