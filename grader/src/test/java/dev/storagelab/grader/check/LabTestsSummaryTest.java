package dev.storagelab.grader.check;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;

import dev.storagelab.grader.report.GradeReport;
import dev.storagelab.grader.run.TestSupervisor;
import dev.storagelab.grader.workspace.GradedTest;
import dev.storagelab.grader.workspace.HandoutTasks;
import dev.storagelab.grader.workspace.Lab;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@code ./storagelab test} prints for failures, from Surefire's results: the test, the
 * concept its name states, the assertion's message (cut, never empty) and jqwik's shrunk sample;
 * a not-implemented message from another task or an earlier lab says which to finish first.
 */
class LabTestsSummaryTest {

    private static final Lab LAB_05 = new Lab("lab-05", "lab-05-lsm", List.of("lab-01"));
    private static final Lab LAB_06 = new Lab("lab-06", "lab-06-wal-mvcc", List.of("lab-05"));

    /** A Hamcrest failure as Surefire reports it: the trace's first line is the type with an empty message. */
    private static SurefireReports.Case hamcrest(String test, String message, List<String> sample) {
        String trace = "java.lang.AssertionError: \n" + message
                + "\n\tat org.hamcrest.MatcherAssert.assertThat(MatcherAssert.java:20)"
                + "\n\tat dev.storagelab.lsm.InternalKeyTest." + test + "(InternalKeyTest.java:82)";
        return new SurefireReports.Case("dev.storagelab.lsm.InternalKeyTest", test, trace, false, message, sample);
    }

    private static SurefireReports.Case notImplemented(String className, String message) {
        String trace = "dev.storagelab.lab.NotImplementedException: " + message + "\n\tat somewhere";
        return new SurefireReports.Case(className, "someTest", trace, false, message, List.of());
    }

    private static String print(Lab lab, List<HandoutTasks.Task> tasks, List<SurefireReports.Case> cases) {
        StringWriter s = new StringWriter();
        LabTests.print(lab, tasks, null, cases, new PrintWriter(s, true));
        return s.toString();
    }

    @Test
    void aFailureShowsTheTestItsConceptTheWholeMessageAndTheShrunkSample() {
        SurefireReports.Case c = hamcrest(
                "encodedOrderMatchesTheRecordOrder",
                "\"\"@0:put vs \"\"@72057594037927935:put\nExpected: <1>\n     but: was <-1>",
                List.of("seq: 72057594037927935"));
        String out = print(LAB_05, List.of(new HandoutTasks.Task("T1", List.of("InternalKeyTest"))), List.of(c));
        assertThat(out, containsString("1 test fails"));
        assertThat(
                out,
                containsString(
                        "InternalKeyTest#encodedOrderMatchesTheRecordOrder (encoded order matches the record order)"));
        assertThat(out, containsString("\"\"@0:put vs \"\"@72057594037927935:put"));
        assertThat(out, containsString("Expected: <1>"));
        assertThat(out, containsString("but: was <-1>"));
        assertThat(out, containsString("shrunk sample: seq: 72057594037927935"));
        assertThat("the exception type alone is never the message", out, not(containsString("AssertionError: \n")));
    }

    @Test
    void aLongAssertionAndAPropertyShowWhatTheCodeReturnedAndTheShrunkSampleUncut(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path module) throws java.io.IOException {
        // Surefire's report of a real run: a Hamcrest equalTo over 1,563 characters, and a jqwik property
        java.nio.file.Path reports = java.nio.file.Files.createDirectories(module.resolve("target/surefire-reports"));
        String xml = "TEST-dev.storagelab.lsm.MergingIteratorTest.xml";
        try (java.io.InputStream in = LabTestsSummaryTest.class.getResourceAsStream("/failures/" + xml)) {
            java.nio.file.Files.copy(in, reports.resolve(xml));
        }
        List<SurefireReports.Case> cases = SurefireReports.read(module);
        String out = print(LAB_05, List.of(new HandoutTasks.Task("T2", List.of("MergingIteratorTest"))), cases);
        assertThat(out, containsString("the scan of [key0000, key0120)"));
        assertThat(out, containsString("expected and actual differ at character 1263:"));
        assertThat("what the code returned", out, containsString("but: was ...key0096=v96, key0097=v98"));
        assertThat(out, containsString("shrunk sample: arg0: [0, 0, 0, 0]"));
        assertThat(out.split("the merged run holds every key", -1).length, is(2));
        assertThat("nothing left to read in the report file", out, not(containsString("more characters in")));
    }

    @Test
    void aFailureWithoutAMessageNamesItsTypeAndWhereItWasThrown() {
        SurefireReports.Case c = hamcrest("blockIsEmpty", "", List.of());
        List<String> lines = LabTests.failure(c, "REPORT");
        assertThat(
                lines.get(1),
                containsString("AssertionError with no message, at dev.storagelab.lsm.InternalKeyTest.blockIsEmpty"
                        + "(InternalKeyTest.java:82)"));
    }

    @Test
    void longMessagesAreWrappedAtWordsAndCutWithTheFileThatHasTheRest() {
        String longLine = "word ".repeat(200).strip();
        String message = String.join("\n", java.util.Collections.nCopies(20, longLine));
        List<String> lines = LabTests.failure(hamcrest("manyLines", message, List.of()), "REPORT.xml");
        assertThat(lines.size(), is(1 + LabTests.MESSAGE_LINES + 1));
        assertThat(lines.stream().map(String::length).toList(), everyItem(lessThanOrEqualTo(LabTests.LINE_CHARS + 2)));
        for (String line : lines.subList(1, lines.size() - 1)) {
            assertThat("never cut mid-word: " + line, List.of(line.strip().split(" ")), everyItem(is("word")));
        }
        int shown = lines.subList(1, lines.size() - 1).stream()
                .mapToInt(l -> l.strip().length() + 1)
                .sum();
        assertThat(
                lines.get(lines.size() - 1),
                is("  (" + (message.length() - shown) + " more characters in REPORT.xml)"));
    }

    @Test
    void aFailureThatLeftARecordingSaysHowToWatchIt() {
        SurefireReports.Case c =
                hamcrest("compactionKeepsTheNewest", "Expected: \"v2\"\n     but: was \"v1\"", List.of());
        java.nio.file.Path file = java.nio.file.Path.of(
                "lab-05-lsm/target/storagelab-failures/InternalKeyTest.compactionKeepsTheNewest.jsonl");
        StringWriter s = new StringWriter();
        LabTests.print(
                LAB_05,
                List.of(new HandoutTasks.Task("T1", List.of("InternalKeyTest"))),
                null,
                List.of(c),
                java.nio.file.Path.of("lab-05-lsm"),
                java.util.Map.of("InternalKeyTest.compactionKeepsTheNewest", file),
                new PrintWriter(s, true));
        assertThat(s.toString(), containsString("at the failing step: ./storagelab viz " + file + "\n"));
    }

    @Test
    void aNameOfOneLetterWordsReadsApart() {
        assertThat(HandoutTasks.concept("returnsAUniqueInsertionPoint"), is("returns a unique insertion point"));
        assertThat(HandoutTasks.concept("writesABufferAtPositionZero"), is("writes a buffer at position zero"));
    }

    @Test
    void theSummaryCountsTasksAndPutsTheGivenCodeOnALineOfItsOwn() {
        SurefireReports.Case pass = new SurefireReports.Case("dev.storagelab.lsm.InternalKeyTest", "a", null, false);
        SurefireReports.Case todo = notImplemented(
                "dev.storagelab.lsm.BlockTest",
                "lab-05 T2 BlockBuilder.add is not implemented yet (lab-05-lsm/README.md#t2)");
        SurefireReports.Case given =
                new SurefireReports.Case("dev.storagelab.io.DiskStorageContractTest", "b", null, false);
        String out = print(
                LAB_05,
                List.of(
                        new HandoutTasks.Task("T1", List.of("InternalKeyTest")),
                        new HandoutTasks.Task("T2", List.of("BlockTest")),
                        new HandoutTasks.Task("given", List.of("DiskStorageContractTest"))),
                List.of(pass, todo, given));
        assertThat(out, containsString("lab-05: 1 of 2 tasks pass (T1); their tests: 1 of 2 pass"));
        assertThat(out, containsString("\ngiven code (not yours to write): 1 of 1 tests pass\n"));
        assertThat("class names are whole", out, containsString("(DiskStorageContractTest)"));
    }

    @Test
    void aTaskBlockedByAnotherTaskOrAnEarlierLabSaysWhichToFinishFirst() {
        String t6 = "lab-05 T6 RecordLogWriter.frame is not implemented yet (lab-05-lsm/README.md#t6)";
        String sameLab = print(
                LAB_05,
                List.of(new HandoutTasks.Task("T7", List.of("LsmStoreTest"))),
                List.of(notImplemented("dev.storagelab.lsm.LsmStoreTest", t6)));
        assertThat(sameLab, containsString(t6 + ": T7's tests need T6 first"));
        String laterLab = print(
                LAB_06,
                List.of(new HandoutTasks.Task("T8", List.of("KvStoreTest"))),
                List.of(notImplemented("dev.storagelab.kvstore.KvStoreTest", t6)));
        assertThat(
                laterLab,
                containsString(t6 + ": these tests run on lab-05's code; finish lab-05 T6 first"
                        + " (./storagelab test --lab 05 --task T6)"));
    }

    @Test
    void jqwiksShrunkSampleIsReadFromTheTestsOutput() {
        String output =
                "timestamp = 2026-11-25T07:52:54, ScratchPropTest:smallNumbers = \n  java.lang.AssertionError:\n"
                        + "    x stays small\n\n  |----jqwik----\ntries = 3  | # of calls to property\n\nShrunk Sample (5 steps)\n"
                        + "-----------------------\n  arg0: 1000\n  arg1: \"a\"\n\nOriginal Sample\n---------------\n  arg0: 2148873\n";
        assertThat(SurefireReports.shrunkSample(output), contains("arg0: 1000", "arg1: \"a\""));
        assertThat(SurefireReports.shrunkSample("no property here"), is(List.of()));
    }

    @Test
    void theHandoutsTableGivesEachTaskItsTestsAndTheGivenCodeARowOfItsOwn() {
        List<HandoutTasks.Task> tasks = HandoutTasks.tasks(List.of(
                "| Task | What | Where | Public tests |",
                "| --- | --- | --- | --- |",
                "| [T1](#t1) | internal keys | `InternalKey.encode` | `InternalKeyTest`, `WriteBatchTest` |",
                "| given | the storage layer | `dev.storagelab.io` | `DiskStorageTest` |",
                "| not a row | `NotATest` |"));
        assertThat(
                tasks,
                contains(
                        new HandoutTasks.Task("T1", "internal keys", List.of("InternalKeyTest", "WriteBatchTest")),
                        new HandoutTasks.Task("given", "the storage layer", List.of("DiskStorageTest"))));
    }

    @Test
    void aSelfGradeInAReleaseListsItsFailuresAndSaysWhyItsCountDiffersFromTests() {
        GradedTest done =
                new GradedTest("lab-05", "dev.storagelab.lsm.InternalKeyTest#encodeAppendsTheBigEndianTrailer", 1, "c");
        GradedTest wrong = new GradedTest(
                "lab-05", "dev.storagelab.lsm.InternalKeyTest#encodedOrderMatchesTheRecordOrder", 1, "c");
        GradedTest todo = new GradedTest("lab-05", "dev.storagelab.lsm.BlockTest#seekFindsEveryKey", 1, "c");
        GradeReport report = new GradeReport(
                "your submission",
                List.of(new GradeReport.LabResult(
                        "lab-05",
                        "lab-05-lsm",
                        "isolated",
                        null,
                        List.of(
                                new GradeReport.TestResult(
                                        done, new TestSupervisor.Outcome(TestSupervisor.Status.PASSED, null, 0), 1, 1),
                                new GradeReport.TestResult(
                                        wrong,
                                        new TestSupervisor.Outcome(
                                                TestSupervisor.Status.FAILED,
                                                "\"\"@0:put vs \"\"@72057594037927935:put\nExpected: <1>\n     but: was <-1>",
                                                0),
                                        0,
                                        1),
                                new GradeReport.TestResult(
                                        todo,
                                        new TestSupervisor.Outcome(
                                                TestSupervisor.Status.FAILED,
                                                "dev.storagelab.lab.NotImplementedException: lab-05 T2 BlockBuilder.add is not implemented yet"
                                                        + " (lab-05-lsm/README.md#t2)",
                                                0),
                                        0,
                                        1)),
                        List.of())),
                List.of(),
                1,
                null);
        StringWriter s = new StringWriter();
        LabTests.printLocalFailures(report, new PrintWriter(s, true));
        String out = s.toString();
        assertThat(out, containsString("\n  lab-05 T2 BlockBuilder.add is not implemented yet"));
        assertThat(
                out,
                containsString(
                        "x InternalKeyTest.encodedOrderMatchesTheRecordOrder (encoded order matches the record order)"));
        assertThat(out, containsString("but: was <-1>"));
        assertThat("a passing test is not listed", out, not(containsString("encodeAppendsTheBigEndianTrailer")));
        assertThat(out, containsString("./storagelab test counts each of their cases"));
    }

    @Test
    void theConceptIsTheBehaviourNameInWords() {
        assertThat(
                HandoutTasks.concept("compactionDropsTombstonesAtBottomLevel"),
                is("compaction drops tombstones at bottom level"));
        assertThat(HandoutTasks.concept("seekFindsEveryKey(int)[3]"), is("seek finds every key"));
    }
}
