package dev.storagelab.grader.grade;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import dev.storagelab.grader.perf.PerfResult;
import dev.storagelab.grader.release.Exporter;
import dev.storagelab.grader.report.GradeReport;
import dev.storagelab.grader.report.GradeReport.LabResult;
import dev.storagelab.grader.sandbox.HostileCorpus;
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
 * The hostile corpus's attacks on performance points (class 3 of {@link
 * HostileSubmissionsCorpusTest}): a submission's benchmark JVMs are as hostile as its test JVMs,
 * so the all-tests-pass gate, the result file and the answers are each defended on their own.
 */
class HostilePerformanceTest {

    @TempDir
    static Path tmp;

    private static Grader grader;
    private static String solved;
    private static String released;
    private static final String CALC = "lab-01-calc/src/main/java/fixture/calc/Calc.java";

    @BeforeAll
    static void buildFixture() throws IOException {
        Path workspace = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws")));
        Files.writeString(
                workspace.resolve("lab-01-calc/src/main/java/fixture/calc/ScratchFiles.java"),
                HostileCorpus.SCRATCH_FILES);
        Path release = tmp.resolve("release");
        new Exporter(Workspace.at(workspace)).export(release);
        released = Files.readString(release.resolve(CALC));
        solved = Files.readString(workspace.resolve(CALC)).replaceAll("(?m)^\\s*// (BEGIN|END) SOLUTION.*\\n", "");
        grader = new Grader(Workspace.at(workspace), new PrintStream(OutputStream.nullOutputStream()), true)
                .sharedReference(Fixtures.sharedReference(workspace));
    }

    private static LabResult grade(String name, String calc) throws IOException {
        Path submission = tmp.resolve("submissions").resolve(name);
        Files.createDirectories(submission.resolve(CALC).getParent());
        Files.writeString(submission.resolve(CALC), calc);
        GradeReport report = grader.grade(
                submission, List.of("01"), Grader.Mode.ISOLATED, Files.createTempDirectory(tmp, "scratch"));
        assertThat(report.error(), nullValue());
        return report.isolated().get(0);
    }

    /** The fixture's timed line (its counted line runs the same benchmark). */
    private static PerfResult perf(LabResult lab) {
        assertThat("the fixture rubric names two lab-01 lines", lab.perf().size(), is(2));
        return lab.perf().stream()
                .filter(p -> p.name().equals("squares"))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aFastWrongEngineEarnsNoPerformancePointsEvenWithEveryTestPassed() throws IOException {
        LabResult lab = grade("fast-wrong", HostileCorpus.fastWrongInBenchmarks(solved));
        assertThat("the tests were fooled: right answers outside benchmark threads", lab.passed(), is((long)
                lab.tests().size()));
        PerfResult p = perf(lab);
        assertThat(p.toString(), p.status(), equalTo(PerfResult.FAILED));
        assertThat("the benchmark checked its answers", p.message(), containsString("wrong answer"));
        assertThat(p.earned(), closeTo(0.0, 1e-9));
    }

    @Test
    void aBenchmarkCannotWriteItsOwnResult() throws IOException {
        LabResult lab = grade("forged-result", HostileCorpus.slowWithForgedResult(solved));
        assertThat(lab.passed(), is((long) lab.tests().size()));
        PerfResult p = perf(lab);
        assertThat(p.toString(), p.status(), equalTo(PerfResult.MEASURED));
        assertThat(
                "measured as slow as it is, not as fast as it wrote: " + p.message(), p.earned(), closeTo(0.0, 1e-9));
    }

    @Test
    void verdictsForgedOnTheWayToTheGateOpenNothing() throws IOException {
        LabResult lab = grade("forged-gate", HostileCorpus.jvmInsides(released));
        assertThat(lab.earned(), closeTo(0.0, 1e-9));
        PerfResult p = perf(lab);
        assertThat("a lab whose tests did not all pass is not benchmarked", p.status(), equalTo(PerfResult.NOT_RUN));
        assertThat(p.earned(), closeTo(0.0, 1e-9));
    }
}
