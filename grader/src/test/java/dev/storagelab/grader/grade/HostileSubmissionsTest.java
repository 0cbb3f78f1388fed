package dev.storagelab.grader.grade;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.storagelab.grader.report.GradeReport;
import dev.storagelab.grader.report.GradeReport.LabResult;
import dev.storagelab.grader.report.GradeReport.TestResult;
import dev.storagelab.grader.run.RunnerEvents;
import dev.storagelab.grader.run.TestSupervisor;
import dev.storagelab.grader.run.TestSupervisor.Status;
import dev.storagelab.grader.sandbox.ClassScan;
import dev.storagelab.grader.sandbox.Confinement;
import dev.storagelab.grader.sandbox.SandboxPolicy;
import dev.storagelab.grader.workspace.Workspace;
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
 * The second wall alone: with the allow-list off ({@link ClassScan}, proved by {@link
 * HostileSubmissionsCorpusTest}), submissions that read the test JVM's command line, append
 * verdicts where the runner once wrote them, replay its lines, kill processes or exit are stopped
 * by the test JVM's policy ({@link SandboxPolicy}) and earn nothing their honest methods would not.
 */
class HostileSubmissionsTest {

    @TempDir
    static Path tmp;

    private static Grader grader;

    @BeforeAll
    static void buildFixture() throws IOException {
        Path workspace = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws")));
        grader = new Grader(Workspace.at(workspace), new PrintStream(OutputStream.nullOutputStream()), true)
                .sharedReference(Fixtures.sharedReference(workspace))
                .scanClasses(false);
    }

    private static LabResult gradeLab01(String fixture) throws IOException {
        GradeReport report = grader.grade(
                Fixtures.submission(fixture),
                List.of("01"),
                Grader.Mode.ISOLATED,
                Files.createTempDirectory(tmp, "scratch"));
        assertThat(report.error(), is((String) null));
        return report.isolated().get(0);
    }

    /** The proofs of the policy need it: it stands on every JDK the grader runs on, unless turned off. */
    private static void assumePolicy() {
        assumeTrue(SandboxPolicy.available(), SandboxPolicy.describe());
    }

    @Test
    void aForgeFromATaskMethodIsStoppedByTheJvmsPolicy() throws IOException {
        assumePolicy();
        LabResult lab = gradeLab01("forged-lab01");
        assertThat(lab.problem(), is((String) null));
        TestResult add = lab.tests().stream()
                .filter(t -> t.test().methodName().equals("adds"))
                .findFirst()
                .orElseThrow();
        assertThat(
                "it could not read its JVM's command line",
                add.outcome().message(),
                containsString("access denied (\"java.util.PropertyPermission\" \"sun.java.command\" \"read\")"));
        assertThat("only its one honest method counts (minimum, 2 points)", lab.earned(), closeTo(2.0, 1e-9));
    }

    @Test
    void replayedRunnerLinesCannotBeWritten() throws IOException {
        assumePolicy();
        LabResult lab = gradeLab01("replayed-lab01");
        assertThat(lab.problem(), is((String) null));
        TestResult multiply = lab.tests().stream()
                .filter(t -> t.test().methodName().equals("multiplies"))
                .findFirst()
                .orElseThrow();
        assertThat(multiply.outcome().message(), containsString("access denied"));
        assertThat("add and min are honest: 3 points, no more", lab.earned(), closeTo(3.0, 1e-9));
    }

    @Test
    void eventLinesOutOfSequenceAreTamperingAndOtherLinesAreNotEvents() {
        assertThat(RunnerEvents.event("@@storagelab-event 0 S a#b", 0), is("S a#b"));
        assertThat(
                "the JVM's own words", RunnerEvents.event("OpenJDK 64-Bit Server VM warning: x", 0), is((String) null));
        IllegalArgumentException replayed = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> RunnerEvents.event("@@storagelab-event 0 F a#b PASS", 3));
        assertThat(replayed.getMessage(), containsString("out of sequence (0, expected 3)"));
    }

    @Test
    void aCrashBesideTheHeapNamesTheMemoryTheJvmSaysRanOut() {
        // the JVM's own last words, as JDK 17 to 25 print them under -XX:+ExitOnOutOfMemoryError
        assertThat(
                TestSupervisor.besideTheHeap("Terminating due to java.lang.OutOfMemoryError: Direct buffer memory"),
                startsWith("direct buffers"));
        assertThat(
                TestSupervisor.besideTheHeap("Terminating due to java.lang.OutOfMemoryError: Metaspace"),
                startsWith("class metadata"));
        assertThat(
                TestSupervisor.besideTheHeap("java.lang.OutOfMemoryError: unable to create native thread: possibly"
                        + " out of memory or process/resource limits reached"),
                startsWith("a new thread's stack"));
        assertThat(
                TestSupervisor.besideTheHeap("# There is insufficient memory for the Java Runtime Environment to"
                        + " continue.\n# Native memory allocation (mmap) failed to map 16777216 bytes"),
                startsWith("the JVM's own memory"));
        assertThat(
                TestSupervisor.besideTheHeap("java.lang.OutOfMemoryError: something new"),
                is("thread stacks, class metadata, direct buffers"));
    }

    @Test
    void aTestJvmThatKillsEveryProcessItCanHarmsOnlyItself() throws IOException {
        // Were the policy missing, as the grader's user this submission would kill the grader (this
        // JVM) and more: it runs only where the test JVM is also confined (CI and Gradescope, as root).
        assumeTrue(
                Confinement.current().on() && SandboxPolicy.available(),
                "the test JVM runs as the grader's user: "
                        + Confinement.current().describe());
        LabResult lab = gradeLab01("killer-lab01");
        assertThat("the grader survived and graded every test", lab.tests().size(), is(7));
        assertThat(lab.problem(), is((String) null));
        TestResult add = lab.tests().stream()
                .filter(t -> t.test().methodName().equals("adds"))
                .findFirst()
                .orElseThrow();
        assertThat(
                "the policy refuses it before it can look for a process",
                add.outcome().message(),
                containsString("access denied (\"java.io.FilePermission\" \"/proc/self\" \"read\")"));
        assertThat("every other test ran, in the same JVM, and passed", lab.earned(), closeTo(7.0, 1e-9));
    }

    @Test
    void aThreadBombStopsAtTheRunsLimitAndCostsOnlyItsTest() throws IOException {
        // Unbounded, it would take the machine's threads: it runs only where its user is limited.
        assumeTrue(
                Confinement.current().limitsThreads(),
                "test JVMs' threads are not limited: " + Confinement.current().describe());
        LabResult lab = gradeLab01("thread-bomb-lab01");
        assertThat(lab.problem(), is((String) null));
        String said = lab.tests().stream()
                .filter(t -> t.test().methodName().equals("adds"))
                .findFirst()
                .orElseThrow()
                .outcome()
                .message();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "started (\\d+) threads, then: java.lang.OutOfMemoryError")
                .matcher(said);
        assertThat(said, m.find(), is(true));
        assertThat(
                "stopped by the limit on the run's user",
                Integer.parseInt(m.group(1)),
                lessThan(Confinement.MAX_THREADS));
        assertThat("every other test ran and passed", lab.earned(), closeTo(7.0, 1e-9));
    }

    @Test
    void honestHostileCodeIsNotCalledTampering() throws IOException {
        // exit, OOM, floods and deadlocks cost their tests, but write no forged line
        LabResult lab = gradeLab01("hostile");
        assertThat(lab.problem(), is((String) null));
        TestResult min = lab.tests().stream()
                .filter(t -> t.test().methodName().equals("minimum"))
                .findFirst()
                .orElseThrow();
        assertThat(min.outcome().status(), equalTo(Status.PASSED));
    }
}
