package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.storagelab.grader.GradeReport.LabResult;
import dev.storagelab.grader.GradeReport.TestResult;
import dev.storagelab.grader.TestSupervisor.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24: submissions that try to write their own verdicts into the runner's events file earn
 * nothing, and the lab's problem names the tampering. These prove the test supervisor's own
 * defences, so the class scan that would stop these submissions first ({@link ClassScan}, proved
 * by {@link HostileSubmissionsCorpusTest}) is off here.
 */
class HostileSubmissionsTest {

    @TempDir
    static Path tmp;
    private static Grader grader;

    @BeforeAll
    static void buildFixture() throws IOException {
        Path workspace = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws")));
        grader = new Grader(Workspace.at(workspace), new PrintStream(OutputStream.nullOutputStream()), true)
                .sharedReference(tmp.resolve("reference")).scanClasses(false);
    }

    private static LabResult gradeLab01(String fixture) throws IOException {
        GradeReport report = grader.grade(Fixtures.submission(fixture), List.of("01"), Grader.Mode.ISOLATED,
                Files.createTempDirectory(tmp, "scratch"));
        assertThat(report.error(), is((String) null));
        return report.isolated().get(0);
    }

    private static GradeReport forged;

    /** The forged submission's report, graded once for the tests that read it. */
    private static synchronized GradeReport forged() throws IOException {
        if (forged == null) {
            forged = grader.grade(Fixtures.submission("forged-lab01"), List.of("01"), Grader.Mode.ISOLATED,
                    Files.createTempDirectory(tmp, "scratch"));
            assertThat(forged.error(), is((String) null));
        }
        return forged;
    }

    @Test
    void forgedUnauthenticatedResultsFailTheLabAndNameTheTampering() throws IOException {
        LabResult lab = forged().isolated().get(0);
        assertThat("a forge earns nothing, not even its one honest method", lab.earned(), closeTo(0.0, 1e-9));
        assertThat(lab.problem(), containsString("tampering detected: "));
        assertThat(lab.problem(), containsString("MAC"));
        assertThat(lab.tests().stream().map(t -> t.outcome().status()).toList(), everyItem(not(equalTo(Status.PASSED))));
    }

    @Test
    void theStudentReadsOnlyThatTheRunWasInvalidAndTheInstructorHowItWasDetected() throws IOException {
        Path out = Files.createTempDirectory(tmp, "out");
        dev.storagelab.grader.report.ReportWriter.writeAll(forged(), out);
        String feedback = Files.readString(out.resolve("results.json"));
        assertThat(feedback, containsString("the test run was invalid"));
        assertThat(feedback, not(containsString("tampering")));
        assertThat(feedback, not(containsString("MAC")));
        assertThat("the instructor's report has the detail", Files.readString(out.resolve("grade.json")),
                containsString("tampering detected: "));
        assertThat(Files.readString(out.resolve("report.md")), containsString("tampering detected: "));
    }

    @Test
    void replayedRunnerLinesFailTheLab() throws IOException {
        LabResult lab = gradeLab01("replayed-lab01");
        assertThat(lab.earned(), closeTo(0.0, 1e-9));
        assertThat(lab.problem(), containsString("tampering detected: a replayed or reordered event line"));
    }

    @Test
    void aTestJvmThatKillsEveryProcessItCanHarmsOnlyItself() throws IOException {
        // As the grader's user this submission would kill the grader (this JVM) and more: it runs
        // only where the test JVM is confined, which is CI and Gradescope (both root).
        assumeTrue(Confinement.current().on(), "the test JVM runs as the grader's user: " + Confinement.current().describe());
        LabResult lab = gradeLab01("killer-lab01");
        assertThat("the grader survived and graded every test", lab.tests().size(), is(7));
        assertThat(lab.problem(), is((String) null));
        TestResult add = lab.tests().stream().filter(t -> t.test().methodName().equals("adds")).findFirst().orElseThrow();
        assertThat(add.outcome().message(), matchesPattern("(?s).*as uid 6[0-9]{4}: tried to kill [1-9][0-9]* processes, killed 0;"
                + " the grader killed: false.*"));
        assertThat("every other test ran, in the same JVM, and passed", lab.earned(), closeTo(7.0, 1e-9));
    }

    @Test
    void aThreadBombStopsAtTheRunsLimitAndCostsOnlyItsTest() throws IOException {
        // Unbounded, it would take the machine's threads: it runs only where its user is limited.
        assumeTrue(Confinement.current().limitsThreads(), "test JVMs' threads are not limited: " + Confinement.current().describe());
        LabResult lab = gradeLab01("thread-bomb-lab01");
        assertThat(lab.problem(), is((String) null));
        String said = lab.tests().stream().filter(t -> t.test().methodName().equals("adds")).findFirst().orElseThrow()
                .outcome().message();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("started (\\d+) threads, then: java.lang.OutOfMemoryError").matcher(said);
        assertThat(said, m.find(), is(true));
        assertThat("stopped by the limit on the run's user", Integer.parseInt(m.group(1)), lessThan(Confinement.MAX_THREADS));
        assertThat("every other test ran and passed", lab.earned(), closeTo(7.0, 1e-9));
    }

    @Test
    void honestHostileCodeIsNotCalledTampering() throws IOException {
        // exit, OOM, floods and deadlocks cost their tests, but write no forged line
        LabResult lab = gradeLab01("hostile");
        assertThat(lab.problem(), is((String) null));
        TestResult min = lab.tests().stream().filter(t -> t.test().methodName().equals("minimum")).findFirst().orElseThrow();
        assertThat(min.outcome().status(), equalTo(Status.PASSED));
    }
}
