package dev.storagelab.grader.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.storagelab.grader.check.LabTests;
import dev.storagelab.grader.feedback.FeedbackFilter;
import dev.storagelab.grader.feedback.LibraryNoise;
import dev.storagelab.grader.grade.Fixtures;
import dev.storagelab.grader.report.GradeReport.LabResult;
import dev.storagelab.grader.report.GradeReport.TestResult;
import dev.storagelab.grader.run.TestSupervisor.Outcome;
import dev.storagelab.grader.run.TestSupervisor.Status;
import dev.storagelab.grader.workspace.GradedTest;
import dev.storagelab.grader.workspace.HandoutTasks;
import dev.storagelab.grader.workspace.HiddenTests;
import dev.storagelab.grader.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a student reads in {@code report.md}: a table of points per task first; in each lab, the
 * tasks not implemented yet named once each before any concept, then the failures, then the
 * passes, each saying what it proved; no library banner or JVM warning in a message; a property's
 * failure once, with its shrunk sample, and a long assertion as where expected and actual differ,
 * uncut; and nothing a message holds can leave its fence.
 */
class StudentReportTest {

    @TempDir
    Path tmp;

    private static final String JQWIK_FAILURE = """
            dev.storagelab.lab.NotImplementedException: lab-01 T4 HashIndexLog.recover is not implemented yet (lab-01-binary-search/README.md#t4)
            [hidden] HashIndexLogHiddenTest:reopenRebuildsTheIndex:\s
              dev.storagelab.lab.NotImplementedException:
                lab-01 T4 HashIndexLog.recover is not implemented yet (lab-01-binary-search/README.md#t4)

                                          |-----------------------jqwik-----------------------
            tries = 1                     | # of calls to property
            checks = 1                    | # of not rejected calls
            generation = RANDOMIZED       | parameters are randomly generated
            after-failure = SAMPLE_FIRST  | try previously failed sample, then previous seed
            when-fixed-seed = ALLOW       | fixing the random seed is allowed
            edge-cases#mode = MIXIN       | edge cases are mixed in
            edge-cases#total = 0          | # of all combined edge cases
            edge-cases#tried = 0          | # of edge cases tried in current run
            seed = 5862387403450337553    | random seed to reproduce generated values

            Shrunk Sample (3 steps)
            -----------------------
              arg0: (int[] [], 0)
            """;

    private static final String CHILD_FAILURE = "java.lang.AssertionError: the child must acknowledge 300 records; its"
            + " stderr: WARNING: A command line option has enabled the Security Manager\n"
            + "WARNING: The Security Manager is deprecated and will be removed in a future release\n"
            + "Exception in thread \"main\" java.lang.IllegalStateException: the log is closed\n"
            + "OpenJDK 64-Bit Server VM warning: Sharing is only supported for boot loader classes\n"
            + "Expected: <true>\n     but: was <false>";

    @Test
    void libraryBannersAndJvmWarningsLeaveTheMessage() {
        String jqwik = LibraryNoise.strip(JQWIK_FAILURE);
        assertThat(jqwik, not(containsString("jqwik")));
        assertThat(jqwik, not(containsString("tries =")));
        assertThat(jqwik, not(containsString("seed =")));
        assertThat("the shrunk sample stays", jqwik, containsString("Shrunk Sample (3 steps)"));
        assertThat(jqwik, containsString("arg0: (int[] [], 0)"));
        String child = LibraryNoise.strip(CHILD_FAILURE);
        assertThat(child, not(containsString("WARNING")));
        assertThat(child, not(containsString("VM warning")));
        assertThat(
                child,
                containsString("its stderr: Exception in thread \"main\" java.lang.IllegalStateException: the log is"
                        + " closed"));
        assertThat(child, containsString("but: was <false>"));
        assertThat(
                "a message without noise is as it was",
                LibraryNoise.strip("expected 5 but was 4"),
                is("expected 5" + " but was 4"));
    }

    private static TestResult test(String method, String task, String name, Status status, String message, int max) {
        GradedTest t = new GradedTest(
                "lab-01",
                "dev.storagelab.sortedlog.hidden.EdgeCaseHiddenTest#" + method,
                max,
                "the bug " + method + " finds",
                task,
                name);
        return new TestResult(t, new Outcome(status, message, 1), status == Status.PASSED ? max : 0, max);
    }

    /** A report of one lab, isolated, with {@code tests}. */
    private static GradeReport report(String lab, String directory, TestResult... tests) {
        return new GradeReport(
                "sub",
                List.of(new LabResult(lab, directory, "isolated", null, List.of(tests), List.of())),
                List.of(),
                12,
                null);
    }

    /** {@code r}'s {@code report.md}, written with every other output to {@code out}. */
    private String markdown(GradeReport r) throws IOException {
        Path dir = tmp.resolve("out");
        ReportWriter.writeAll(r, dir);
        return Files.readString(dir.resolve("report.md"));
    }

    @Test
    void theReportLeadsWithTasksAndNamesWhatIsNotImplementedOnce() throws IOException {
        String todo = LibraryNoise.strip(JQWIK_FAILURE);
        String md = markdown(report(
                "lab-01",
                "lab-01-binary-search",
                test("emptyArraysAreSearched", "T1", "binary search", Status.PASSED, null, 2),
                test("reopenRebuildsTheIndex", "T4", "rebuilding the index", Status.FAILED, todo, 3),
                test("tornTailIsCut", "T4", "rebuilding the index", Status.FAILED, todo, 2),
                test("lookupsFindTheNewest", "T8", "the read path", Status.FAILED, "expected v2", 4)));
        int table = md.indexOf("| lab | task | handout | points |");
        assertThat(md, table, is(md.indexOf("| lab |")));
        assertThat(md, containsString("| lab-01 | T1 | binary search | 2 / 2 |"));
        assertThat(md, containsString("| lab-01 | T4 | rebuilding the index | 0 / 5 |"));
        assertThat(md, containsString("| lab-01 | T8 | the read path | 0 / 4 |"));
        String lab = md.substring(md.indexOf("\n## lab-01\n") + "\n## lab-01\n".length())
                .strip();
        assertThat(
                "the lab's first line names the task not implemented",
                lab,
                startsWith(
                        "**lab-01 T4 HashIndexLog.recover is not implemented yet (lab-01-binary-search/README.md#t4)**:"
                                + " 2 tests (5 points) reached it"));
        assertThat("once per task", lab.split("is not implemented yet", -1).length, is(2));
        assertThat("before any concept", lab.indexOf("not implemented yet"), lessThan(lab.indexOf("the bug")));
        assertThat(
                "a pass says what it proved",
                md,
                containsString("- PASS ` EdgeCaseHiddenTest"
                        + ".emptyArraysAreSearched ` (2/2, T1): empty arrays are searched"));
        assertThat(md, not(containsString("PASS ` EdgeCaseHiddenTest.emptyArraysAreSearched ` (2/2, T1): the bug")));
        assertThat(
                md,
                containsString("- **FAIL** ` EdgeCaseHiddenTest.lookupsFindTheNewest ` (0/4, T8): the bug"
                        + " lookupsFindTheNewest finds"));
        assertThat(md, not(containsString("jqwik")));
    }

    /** A failure's text as a real run wrote it ({@code src/test/resources/failures}). */
    static String realFailure(String name) throws IOException {
        try (java.io.InputStream in = StudentReportTest.class.getResourceAsStream("/failures/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static FeedbackFilter lab05;

    /**
     * The two filters a message goes through: a release's own grade (local checks: it only cleans
     * and bounds) and the instructor's, with lab-05's hidden tests and the course's vocabulary.
     */
    private static synchronized List<FeedbackFilter> filters() throws IOException {
        if (lab05 == null) {
            Workspace ws = Workspace.at(Fixtures.realWorkspace());
            lab05 = FeedbackFilter.forLab(ws.root(), ws.lab("05"), List.of());
        }
        return List.of(FeedbackFilter.none(), lab05);
    }

    /** A local check of lab-05 that failed with {@code raw}, its message as the grader keeps it. */
    private static TestResult localFailure(String method, String raw, FeedbackFilter filter) {
        GradedTest t = new GradedTest(
                "lab-05",
                "dev.storagelab.lsm.MergingIteratorTest#" + method,
                1,
                HiddenTests.LOCAL_CHECK + HandoutTasks.concept(method),
                "T2",
                "the merging iterator");
        return new TestResult(t, new Outcome(Status.FAILED, filter.apply(LibraryNoise.strip(raw)), 1), 0, 1);
    }

    /** The fenced message under the failure of {@code method} in {@code md}, its indent taken off. */
    private static String fencedUnder(String md, String method) {
        int at = md.indexOf("." + method + " `");
        assertThat(method + " is listed", at, org.hamcrest.Matchers.greaterThan(0));
        String rest = md.substring(md.indexOf('\n', at) + 1);
        String fence = rest.lines().findFirst().orElseThrow().strip();
        assertThat(rest, startsWith("  ```"));
        int end = rest.indexOf("\n  " + fence + "\n");
        return rest.substring(rest.indexOf('\n') + 1, end).replaceAll("(?m)^  ", "");
    }

    /** What {@code ./storagelab grade} prints in a release for {@code r}: its table, then its failures. */
    private static String gradeTerminal(GradeReport r) {
        java.io.StringWriter s = new java.io.StringWriter();
        java.io.PrintWriter w = new java.io.PrintWriter(s, true);
        ReportWriter.printTable(r, w);
        LabTests.printLocalFailures(r, w);
        return s.toString();
    }

    /** The message of a local check of lab-05 that failed with {@code raw}, as each filter's {@code report.md} shows it. */
    private List<String> shownInReports(String method, String raw) throws IOException {
        List<String> shown = new java.util.ArrayList<>();
        for (FeedbackFilter filter : filters()) {
            shown.add(fencedUnder(markdown(report("lab-05", "lab-05-lsm", localFailure(method, raw, filter))), method));
        }
        return shown;
    }

    /** What {@code ./storagelab grade} prints in a release for a local check of lab-05 that failed with {@code raw}. */
    private static String inTheTerminal(String method, String raw) {
        return gradeTerminal(report("lab-05", "lab-05-lsm", localFailure(method, raw, FeedbackFilter.none())));
    }

    private static int count(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    @Test
    void aPropertysFailureIsShownOnceWithItsShrunkSampleAndUncut() throws IOException {
        String raw = realFailure("jqwik-property.txt");
        for (String shown : shownInReports("mergeKeepsEveryKey", raw)) {
            assertThat(shown, count(shown, "the merged run holds every key"), is(1));
            assertThat(shown, containsString("Expected: is <4>\n     but: was <3>"));
            assertThat(shown, containsString("Shrunk Sample (9 steps)\n  arg0: [0, 0, 0, 0]"));
            assertThat("what jqwik shrank from is not the failure to fix", shown, not(containsString("Original")));
            assertThat(shown, not(containsString("<9>")));
            assertThat("jqwik's heading of its report", shown, not(containsString("MergingIteratorTest:")));
            assertThat("uncut", shown, not(containsString("[...")));
            assertThat("the type of an assertion is no news", shown, not(containsString("AssertionError")));
        }
        String terminal = inTheTerminal("mergeKeepsEveryKey", raw);
        assertThat(terminal, count(terminal, "the merged run holds every key"), is(1));
        assertThat(terminal, containsString("shrunk sample: arg0: [0, 0, 0, 0]"));
        assertThat(terminal, not(containsString("more characters in")));
    }

    @Test
    void aLongAssertionShowsWhereExpectedAndActualDifferUncut() throws IOException {
        String raw = realFailure("hamcrest-long-value.txt");
        for (String shown : shownInReports("scanReturnsEveryRecordInOrder", raw)) {
            assertThat(shown, startsWith("the scan of [key0000, key0120)\n"));
            assertThat(shown, containsString("\nexpected and actual differ at character 1263:\n"));
            assertThat(shown, containsString("\nExpected:     ...key0096=v96, key0097=v97"));
            assertThat("what the code returned", shown, containsString("\n     but: was ...key0096=v96, key0097=v98"));
            assertThat(
                    "the difference stands in one column",
                    shown.lines()
                            .filter(l -> l.contains("key0097=v9"))
                            .map(l -> l.indexOf("key0097"))
                            .distinct()
                            .count(),
                    is(1L));
            assertThat("uncut", shown, not(containsString("[...")));
            assertThat(shown, shown.lines().count(), org.hamcrest.Matchers.lessThanOrEqualTo(4L));
        }
        String terminal = inTheTerminal("scanReturnsEveryRecordInOrder", raw);
        assertThat(terminal, containsString("but: was ...key0096=v96, key0097=v98"));
        assertThat(terminal, not(containsString("more characters in")));
    }

    @Test
    void junitsLongExpectedAndActualAreShownWhereTheyDiffer() {
        String cells = "cell ".repeat(60);
        AssertionError thrown = org.junit.jupiter.api.Assertions.assertThrows(
                AssertionError.class,
                () -> org.junit.jupiter.api.Assertions.assertEquals(
                        cells + "end", cells.substring(0, 200), "the page's cells"));
        String shown = LibraryNoise.strip(thrown.getClass().getName() + ": " + thrown.getMessage());
        assertThat(
                shown,
                is("the page's cells ==>\nexpected and actual differ at character 202 (of 305 and 202):\n"
                        + "expected: ...cell cell cell cell cell cell cell cell...\n"
                        + " but was: ...cell cell cell cell >"));
    }

    @Test
    void failuresComeBeforePassesAndWhatEveryLocalCheckSharesIsSaidOnce() throws IOException {
        String raw = realFailure("hamcrest-long-value.txt");
        GradedTest pass = new GradedTest(
                "lab-05",
                "dev.storagelab.lsm.MergingIteratorTest#emptyRunsMergeToNothing",
                1,
                HiddenTests.LOCAL_CHECK + "empty runs merge to nothing",
                "T2",
                "the merging iterator");
        TestResult passed = new TestResult(pass, new Outcome(Status.PASSED, null, 1), 1, 1);
        String md = markdown(report(
                "lab-05",
                "lab-05-lsm",
                passed,
                localFailure("scanReturnsEveryRecordInOrder", raw, FeedbackFilter.none()),
                localFailure("mergeKeepsEveryKey", realFailure("jqwik-property.txt"), FeedbackFilter.none())));
        String lab = md.substring(md.indexOf("\n## lab-05\n"));
        assertThat(lab.lastIndexOf("- **FAIL**"), lessThan(lab.indexOf("- PASS")));
        assertThat(md, count(md, "a local check: the hidden tests are not in a student release"), lessThan(2));
        assertThat(md, containsString("_Local checks: this workspace has no hidden tests"));
        assertThat(
                md,
                containsString(
                        "- **FAIL** ` MergingIteratorTest.mergeKeepsEveryKey ` (0/1, T2): merge keeps every key\n"));
    }

    @Test
    void nothingAMessageHoldsLeavesItsFenceAndPlainWordsAreNotEscaped() throws IOException {
        String hostile = "```` ~~~\n## forged heading\n````````\n[a link](https://example.org) ![an image](x.png)"
                + " <b>bold</b> *emphasis*\n```";
        GradeReport r = new GradeReport(
                "sub",
                List.of(new LabResult(
                        "lab-01",
                        "lab-01-binary-search",
                        "isolated",
                        "# forged [link](https://example.org) *em* in Calc (line 3) #4 ~~gone~~ `x`\nmore",
                        List.of(test("lookupsFindTheNewest", "T8", "the read path", Status.FAILED, hostile, 4)),
                        List.of())),
                List.of(),
                12,
                null);
        String md = markdown(r);
        assertThat("a bracket, a parenthesis or a hash in a line is no markup", md, containsString("(line 3) #4"));
        assertThat(md, not(containsString("\\(")));
        assertThat(md, not(containsString("\\#4")));
        String html = com.vladsch.flexmark.html.HtmlRenderer.builder()
                .build()
                .render(com.vladsch.flexmark.parser.Parser.builder().build().parse(md));
        for (String markup :
                List.of("<h2>forged", "<h1>forged", "<a href", "<img", "<b>", "<em>", "<del>", "<code>x")) {
            assertThat(html, not(containsString(markup)));
        }
        assertThat(
                "the message is one code block, whole", html, containsString("## forged heading\n````````\n[a link]"));
        assertThat(fencedUnder(md, "lookupsFindTheNewest"), is(hostile));
    }

    @Test
    void aReleasesOwnGradeSaysWhatItsEarlierLabsStoppedApartFromTheLabsOwnFailures() throws IOException {
        java.util.function.BiFunction<String, String, String> todo = (lab, task) ->
                "dev.storagelab.lab.NotImplementedException: " + lab + " " + task + " X.y is not implemented yet ("
                        + lab + "-x/README.md#" + task.toLowerCase(java.util.Locale.ROOT) + ")";
        List<TestResult> tests = List.of(
                test("a", "T1", "t", Status.FAILED, "caused by " + todo.apply("lab-01", "T8"), 2),
                test("b", "T1", "t", Status.FAILED, todo.apply("lab-01", "T10"), 2),
                test("c", "T1", "t", Status.FAILED, todo.apply("lab-01", "T8"), 2),
                test("d", "T2", "t", Status.FAILED, todo.apply("lab-02", "T3"), 1),
                test("e", "T2", "t", Status.FAILED, todo.apply("lab-03", "T2"), 1),
                test("f", "T2", "t", Status.FAILED, "expected 5 but was 4", 1),
                test("g", "T2", "t", Status.PASSED, null, 1));
        GradeReport r = new GradeReport(
                "your submission",
                List.of(new LabResult("lab-03", "lab-03-bst", GradeReport.OWN_LABS, null, tests, List.of())),
                List.of(),
                12,
                null);
        String said = "of the 9 points lost, 6 went to 3 tests that stopped at lab-01's T8 and T10, 1 to 1 test that"
                + " stopped at lab-02's T3 (not implemented yet), 2 to lab-03's own failures";
        String terminal = gradeTerminal(r);
        assertThat(
                terminal,
                containsString(
                        "\nlab-03   1/7          1/10             -              10.0%\n         " + said + "\n"));
        assertThat(terminal, not(containsString("isolated")));
        assertThat(markdown(r), containsString("\n**lab-03: " + said + ".**\n"));
    }

    @Test
    void aTaskThatHangsIsSaidOnceAtItsTaskWithWhatItWaitsOn() throws IOException {
        String wait = "hangs: for 5 s no thread ran, and none could: each waits with no progress\n"
                + "3 threads wait in StampedLock.readLock at LatchCrabbing.findLeafShared:88 < BPlusTree.get:300\n"
                + "A lock or latch never let go, or a wake-up never sent, keeps them waiting for ever.";
        String name = "search and insert with splits";
        GradeReport r = report(
                "lab-04",
                "lab-04-btree",
                test("pagesKeepTheirCells", "T1", "the slotted page", Status.PASSED, null, 2),
                test("readersSeeEveryKey", "T7", name, Status.HUNG, wait, 3),
                test("scansSeeEveryKey", "T7", name, Status.HUNG, wait, 3),
                test("splitsKeepOrder", "T7", name, Status.FAILED, "expected 5 but was 4", 2));
        String md = markdown(r);
        Path dir = tmp.resolve("out");
        assertThat(md, containsString("| lab-04 | T7 | search and insert with splits (hangs: 2 tests) | 0 / 8 |"));
        assertThat(
                md,
                containsString("**lab-04 T7 hangs (2 tests): no thread runs; 3 threads wait in StampedLock.readLock at"
                        + " LatchCrabbing.findLeafShared:88 &lt; BPlusTree.get:300** (6 points)"));
        assertThat("the wait in full, once", md.split("never let go", -1).length, is(2));
        assertThat(
                md,
                containsString(
                        "- **FAIL** ` EdgeCaseHiddenTest.readersSeeEveryKey ` (0/3, T7): the bug readersSeeEveryKey"
                                + " finds (hangs: said above, at T7)"));
        assertThat("a failure that is no hang keeps its message", md, containsString("expected 5 but was 4"));
        java.io.StringWriter terminal = new java.io.StringWriter();
        ReportWriter.printTable(r, new java.io.PrintWriter(terminal, true));
        assertThat(
                terminal.toString(),
                containsString("lab-04 T7 hangs (2 tests): no thread runs; 3 threads wait in StampedLock.readLock at"
                        + " LatchCrabbing.findLeafShared:88 < BPlusTree.get:300"));
        assertThat(
                "Gradescope's first words say it too",
                Files.readString(dir.resolve("results.json")),
                containsString("lab-04 T7 hangs (2 tests): no thread runs; 3 threads wait in StampedLock.readLock"));
    }
}
