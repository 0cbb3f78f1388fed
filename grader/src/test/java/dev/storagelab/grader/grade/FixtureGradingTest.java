package dev.storagelab.grader.grade;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.storagelab.grader.cli.Main;
import dev.storagelab.grader.perf.PerfResult;
import dev.storagelab.grader.platform.GradescopePackage;
import dev.storagelab.grader.release.Exporter;
import dev.storagelab.grader.report.GradeReport;
import dev.storagelab.grader.report.GradeReport.LabResult;
import dev.storagelab.grader.report.GradeReport.TestResult;
import dev.storagelab.grader.report.ReportWriter;
import dev.storagelab.grader.run.TestSupervisor.Status;
import dev.storagelab.grader.workspace.FileTrees;
import dev.storagelab.grader.workspace.Workspace;
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
                    .sharedReference(Fixtures.sharedReference(workspace));
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
        GradeReport ref = perfReport("reference");
        assertThat(ref.error(), nullValue());
        assertThat("the reference must earn every point", ref.percent(), closeTo(100.0, 1e-9));
        assertThat("11 test points and lab-01's 5 performance points", ref.max(), closeTo(16.0, 1e-9));

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
        GradeReport reference = perfReport("reference");
        PerfResult ref = perf(reference, "squares");
        assertThat(ref.toString(), ref.status(), equalTo(PerfResult.MEASURED));
        assertThat("the reference against itself: " + ref.message(), ref.ratio(), lessThan(2.0));
        assertThat(ref.earned(), closeTo(3.0, 1e-9));
        assertThat("a timed line shows its interval", ref.message(), containsString("95% interval"));
        PerfResult refCount = perf(reference, "square-allocations");
        assertThat(refCount.toString(), refCount.counted(), is(true));
        assertThat("a count is exact: the reference against itself is 1.00x", refCount.ratio(), closeTo(1.0, 1e-9));
        assertThat(refCount.earned(), closeTo(2.0, 1e-9));
        assertThat(
                "the report says what was counted, the operations of one pass among it",
                refCount.message(),
                containsString("allocated bytes by 16,384 squares, per square against the reference's"));
        assertThat(refCount.measure(), equalTo("allocated bytes by 16,384 squares, per square"));
        assertThat(refCount.unit(), equalTo("allocated bytes per square"));

        GradeReport slowReport = perfReport("slow-lab01");
        PerfResult slow = perf(slowReport, "squares");
        assertThat(slow.toString(), slow.status(), equalTo(PerfResult.MEASURED));
        assertThat(
                "BigInteger squares are many times slower than one multiply: " + slow.message(),
                slow.ratio(),
                greaterThan(4.0));
        assertThat("beyond the last threshold, nothing", slow.earned(), closeTo(0.0, 1e-9));
        assertThat("a deduction waits for the rounds the rubric asks", slow.rounds(), greaterThanOrEqualTo(2));
        PerfResult slowCount = perf(slowReport, "square-allocations");
        assertThat(
                "a BigInteger per square allocates where a multiply allocates nothing: " + slowCount.message(),
                slowCount.ratio(),
                greaterThan(4.0));
        assertThat(slowCount.earned(), closeTo(0.0, 1e-9));

        PerfResult overflowing =
                perf(grade(Fixtures.submission("overflowing-lab01"), Grader.Mode.ISOLATED, "01"), "squares");
        assertThat(
                "right for 3 x 3, but the benchmark's squares overflow Math.multiplyExact: " + overflowing,
                overflowing.status(),
                equalTo(PerfResult.FAILED));
        assertThat(overflowing.message(), containsString("java.lang.ArithmeticException"));
        assertThat(overflowing.earned(), closeTo(0.0, 1e-9));

        PerfResult buggy = perf(perfReport("buggy-lab01"), "squares");
        assertThat("a lab with a failing test is not benchmarked", buggy.status(), equalTo(PerfResult.NOT_RUN));
        assertThat(buggy.message(), containsString("every test of lab-01"));
        assertThat(buggy.earned(), closeTo(0.0, 1e-9));
        assertThat("its points still count in the maximum", buggy.max(), closeTo(3.0, 1e-9));
    }

    private static PerfResult perf(GradeReport report, String name) {
        List<PerfResult> perf = lab(report.isolated(), "lab-01").perf();
        assertThat("the fixture rubric names two lab-01 lines", perf.size(), is(2));
        return perf.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    /** A figure, its words, the reference's figure and the ratio, as every output prints a measured line. */
    private static final java.util.regex.Pattern FIGURES = java.util.regex.Pattern.compile(
            "(?<![\\w/.,])([0-9][0-9,]*(?:\\.[0-9]+)?) ([a-z][^:]*?) against the reference's ([0-9][0-9,]*(?:\\.[0-9]+)?)(?: [a-z/]+)?:"
                    + " ([0-9]+\\.[0-9]{2})x");

    /**
     * Checks that {@code text} states {@code line}'s figures and that its ratio is the quotient of
     * the figures it prints, to the ratio's two decimals (each figure is printed to four digits).
     */
    private static void statesItsRatio(String where, String text, String line) {
        java.util.regex.Matcher m = FIGURES.matcher(text);
        assertThat(where + " states the figures of " + line + ": " + text, m.find(), is(true));
        double sub = Double.parseDouble(m.group(1).replace(",", ""));
        double ref = Double.parseDouble(m.group(3).replace(",", ""));
        double ratio = Double.parseDouble(m.group(4));
        assertThat(where + ", " + line + ": " + m.group(), ratio, closeTo(sub / ref, 0.005 + 0.001 * sub / ref));
    }

    private static final Map<String, GradeReport> PERF_REPORTS = new java.util.HashMap<>();

    /** The submissions {@link #perfReport} grades in every lab, isolated and integrated. */
    private static final java.util.Set<String> EVERY_LAB = java.util.Set.of("reference", "buggy-lab01");

    /**
     * A submission graded with performance, once per test class: a fixture's lab-01 isolated, or
     * ({@link #EVERY_LAB}) the fixture's own code or buggy-lab01, every lab isolated and integrated,
     * whose lab-01 is measured in isolation as any submission's is. A grade with performance takes
     * the most time of these proofs (each line's rounds of benchmark JVMs), and a grade of buggy-lab01
     * is proof of its lab-01's performance not being measured and of its bug costing only its lab, so
     * the proofs share them.
     */
    private static synchronized GradeReport perfReport(String submission) throws IOException {
        GradeReport r = PERF_REPORTS.get(submission);
        if (r == null) {
            Path path = submission.equals("reference") ? null : Fixtures.submission(submission);
            r = EVERY_LAB.contains(submission)
                    ? grade(path, Grader.Mode.BOTH)
                    : grade(path, Grader.Mode.ISOLATED, "01");
            PERF_REPORTS.put(submission, r);
        }
        return r;
    }

    @Test
    void everyOutputShowsTheFiguresItsRatioIsTheQuotientOf() throws IOException {
        for (String submission : new String[] {"reference", "slow-lab01"}) {
            GradeReport report = perfReport(submission);
            Path out = tmp.resolve("outputs-" + submission);
            ReportWriter.writeAll(report, out);
            java.io.StringWriter terminal = new java.io.StringWriter();
            try (java.io.PrintWriter w = new java.io.PrintWriter(terminal)) {
                ReportWriter.printTable(report, w);
            }
            String table = terminal.toString();
            String markdown = Files.readString(out.resolve("report.md"));
            JsonObject grade = JsonParser.parseString(Files.readString(out.resolve("grade.json")))
                    .getAsJsonObject();
            JsonObject results = JsonParser.parseString(Files.readString(out.resolve("results.json")))
                    .getAsJsonObject();
            int lines = 0;
            Map<String, JsonObject> board = new java.util.HashMap<>();
            for (var e : results.getAsJsonArray("leaderboard")) {
                board.put(e.getAsJsonObject().get("name").getAsString(), e.getAsJsonObject());
            }
            JsonArray performance = null;
            for (var l : grade.getAsJsonArray("isolated")) {
                if (l.getAsJsonObject().get("lab").getAsString().equals("lab-01")) {
                    performance = l.getAsJsonObject().getAsJsonArray("performance");
                }
            }
            assertThat("grade.json has lab-01", performance, notNullValue());
            assertThat(
                    "results.json ranks every measured line once: " + board.keySet(),
                    board.size(),
                    is(performance.size()));
            for (var b : performance) {
                JsonObject p = b.getAsJsonObject();
                String name = p.get("name").getAsString();
                assertThat(p.toString(), p.get("status").getAsString(), equalTo(PerfResult.MEASURED));
                boolean counted = p.get("scored_by").getAsString().equals("count");
                JsonObject entry = board.get("lab-01 " + name + " ("
                        + (counted ? p.get("unit").getAsString() : "CPU time / reference") + ")");
                assertThat("results.json's leaderboard has " + name + ": " + board.keySet(), entry, notNullValue());
                double scored = p.get(counted ? "submission" : "ratio").getAsDouble();
                assertThat(
                        "the leaderboard ranks " + name + " by the "
                                + (counted ? "count per operation" : "CPU-time ratio") + " scored: " + entry,
                        entry.get("value").getAsDouble(),
                        closeTo(scored, 5e-4 * Math.abs(scored)));
                assertThat(entry.get("order").getAsString(), equalTo("asc"));
                if (p.get("reference").getAsDouble() == 0) {
                    // a count where the reference did none of the work: 1.00x if neither did, else no finite ratio
                    assertThat(
                            p.toString(),
                            p.get("ratio").isJsonNull() || p.get("ratio").getAsDouble() == 1,
                            is(true));
                    continue;
                }
                lines++;
                assertThat(
                        "grade.json: " + p,
                        p.get("ratio").getAsDouble(),
                        closeTo(
                                p.get("submission").getAsDouble()
                                        / p.get("reference").getAsDouble(),
                                1e-9));
                statesItsRatio("grade.json's message", p.get("message").getAsString(), name);
                String row = table.lines()
                        .filter(l -> l.contains("perf " + name + " "))
                        .findFirst()
                        .orElseThrow();
                statesItsRatio("the terminal", row, name);
                String md = markdown.lines()
                        .filter(l -> l.startsWith("| " + name + " `"))
                        .findFirst()
                        .orElseThrow();
                String[] cells = md.split(" \\| ");
                double yours = Double.parseDouble(cells[2].replace(",", ""));
                double theirs = Double.parseDouble(cells[3].replace(",", ""));
                double mdRatio = Double.parseDouble(cells[4].replace("x", ""));
                assertThat("report.md: " + md, mdRatio, closeTo(yours / theirs, 0.005 + 0.001 * yours / theirs));
                statesItsRatio("report.md's result", md, name);
                boolean found = false;
                for (var t : results.getAsJsonArray("tests")) {
                    JsonObject test = t.getAsJsonObject();
                    if (test.get("name")
                            .getAsString()
                            .endsWith("performance: " + name + " ("
                                    + p.get("benchmark").getAsString() + ")")) {
                        statesItsRatio("results.json", test.get("output").getAsString(), name);
                        found = true;
                    }
                }
                assertThat("results.json lists " + name, found, is(true));
            }
            assertThat(submission + ": every line with a finite ratio was checked", lines, greaterThanOrEqualTo(1));
        }
    }

    @Test
    void hostileCodeCostsOnlyTheTestThatRanIt() throws IOException {
        // the supervisor's and the in-JVM policy's defences: the class scan, which would stop System.exit
        // first, is off; the policy refuses the exit, so the test that called it fails, alone
        // (the same shared reference directory: whichever grader comes first builds it)
        GradeReport report = new Grader(Workspace.at(workspace), new PrintStream(OutputStream.nullOutputStream()), true)
                .sharedReference(Fixtures.sharedReference(workspace))
                .scanClasses(false)
                .grade(
                        Fixtures.submission("hostile"),
                        List.of("01"),
                        Grader.Mode.ISOLATED,
                        Files.createTempDirectory(tmp, "scratch"));
        Map<String, TestResult> t = byMethod(lab(report.isolated(), "lab-01"));
        assertOutcome(t.get("adds"), Status.TIMED_OUT, "timed out");
        assertOutcome(t.get("multiplies"), Status.FAILED, "\"exitVM\"");
        assertOutcome(t.get("negates"), Status.CRASHED, "ran out of memory");
        assertOutcome(t.get("squares"), Status.FAILED, "flooded its output");
        // two threads each hold the monitor the other waits for: named a deadlock, in seconds
        assertOutcome(t.get("maximum"), Status.HUNG, "hangs: a deadlock");
        assertThat(
                "the cycle, in the lab's code",
                t.get("maximum").outcome().message(),
                allOf(
                        containsString("A waits in synchronized (Object), held by B at Calc."),
                        containsString("B waits in synchronized (Object), held by A at Calc.")));
        assertThat(t.get("maximum").outcome().seconds(), lessThan(6.0));
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
        GradeReport report = perfReport("buggy-lab01");
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
                    "--workspace",
                    workspace.toString(),
                    "grade",
                    "--offline",
                    "--lab",
                    "02",
                    "--out",
                    out.toString(),
                    "--reference-build",
                    Fixtures.sharedReference(workspace).toString()
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
        // What `./storagelab grade` writes of the reference's grade (cliWritesGradescopeJsonMarkdownAndJUnitXml
        // runs the command itself, and GradescopeLayoutTest the autograder's script with performance).
        Path out = tmp.resolve("reference-results");
        ReportWriter.writeAll(perfReport("reference"), out);
        JsonObject results = JsonParser.parseString(Files.readString(out.resolve("results.json")))
                .getAsJsonObject();
        JsonObject count = results.getAsJsonArray("leaderboard").get(0).getAsJsonObject();
        assertThat(count.get("name").getAsString(), equalTo("lab-01 square-allocations (allocated bytes per square)"));
        JsonObject board = results.getAsJsonArray("leaderboard").get(1).getAsJsonObject();
        assertThat(board.get("name").getAsString(), equalTo("lab-01 squares (CPU time / reference)"));
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
                Files.readString(out.resolve("report.md")),
                containsString("| squares `CalcBenchmark.sumOfSquares` n=1024 | CPU time"));
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
        assertThat(rows.get(0), equalTo("student,lab-01,lab-02,points,max_points,percent,error,walls"));
        // lab-01: 8 test points and 5 for performance, which a lab with a failing test does not earn.
        assertThat(rows.get(1), startsWith("alice,53.8,100.0,10.00,16.00,62.5,,"));
        assertThat(rows.get(2), startsWith("bob,0.0,100.0,3.00,16.00,18.8,,"));
        assertThat("each row says which walls stood", rows.get(1), containsString("in-JVM policy"));
        assertThat(rows.get(3), containsString("carol,,,0.00,0.00,0.0,"));
        assertThat(rows.get(3), containsString("cannot find a storagelab workspace"));
        assertThat("each student gets their own results", Files.exists(out.resolve("alice/results.json")), is(true));
        assertThat(
                "no one's performance was measured (a failing test, a lab that does not build): nobody ranks",
                Files.readAllLines(out.resolve("leaderboard.csv")),
                equalTo(List.of("pseudonym,\"lab-01 square-allocations (allocated bytes per square)\","
                        + "\"lab-01 squares (CPU time / reference)\"")));
        assertThat(Files.readString(out.resolve("leaderboard.html")), containsString("Performance leaderboard"));
        assertThat(progress.toString(StandardCharsets.UTF_8), containsString("3/3 graded"));
        // What it wrote beside the students' folders, its help names: an instructor finds each file there.
        String help = Files.readString(Fixtures.realWorkspace().resolve("grader/help/storagelab-grade-all.txt"))
                .replaceAll("\\s+", " ");
        try (var files = Files.list(out)) {
            List<String> unnamed = files.filter(Files::isRegularFile)
                    .map(f -> f.getFileName().toString())
                    .filter(name -> !name.startsWith(".") && !help.contains(name))
                    .toList();
            assertThat("files grade-all writes that its --help does not name", unnamed, empty());
        }
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
        assertThat(entries.get("setup.sh"), containsString("openjdk-$v-jdk-headless"));
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
