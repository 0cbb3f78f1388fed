package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.storagelab.grader.GradeReport.LabResult;
import dev.storagelab.grader.GradeReport.TestResult;
import dev.storagelab.grader.TestSupervisor.Outcome;
import dev.storagelab.grader.TestSupervisor.Status;
import dev.storagelab.grader.report.ReportWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a student reads in {@code report.md}: a table of points per task first; in each lab, the
 * tasks not implemented yet named once each before any concept; a pass says what it proved; and
 * no library banner or JVM warning in a message.
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
                        "**lab-01 T4 HashIndexLog.recover is not implemented yet \\(lab-01-binary-search/README.md\\#t4\\)**:"
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
        assertThat(md, containsString("| lab-04 | T7 | search and insert with splits \\(hangs: 2 tests\\) | 0 / 8 |"));
        assertThat(
                md,
                containsString(
                        "**lab-04 T7 hangs \\(2 tests\\): no thread runs; 3 threads wait in StampedLock.readLock at"
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
