package dev.storagelab.grader.check;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.grader.cli.Main;
import dev.storagelab.grader.grade.Fixtures;
import dev.storagelab.grader.workspace.Regions;
import dev.storagelab.grader.workspace.Workspace;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mutation audit: a smoke of PIT on the fixture, and the counting of mutants by region. */
class AuditTest {

    @TempDir
    Path tmp;

    @Test
    void onlyMutantsOnTheLinesOfARegionCountAndEachCountsForItsTask() throws IOException {
        Path xml = tmp.resolve("mutations.xml");
        Files.writeString(xml, """
                <?xml version="1.0" encoding="UTF-8"?>
                <mutations>
                <mutation detected='true' status='KILLED'><sourceFile>Calc.java</sourceFile><mutatedClass>fixture.calc.Calc</mutatedClass><lineNumber>11</lineNumber><mutator>org.pitest.MathMutator</mutator><description>addition to subtraction</description></mutation>
                <mutation detected='false' status='SURVIVED'><sourceFile>Calc.java</sourceFile><mutatedClass>fixture.calc.Calc$1</mutatedClass><lineNumber>17</lineNumber><mutator>org.pitest.MathMutator</mutator><description>in a lambda</description></mutation>
                <mutation detected='false' status='SURVIVED'><sourceFile>Calc.java</sourceFile><mutatedClass>fixture.calc.Calc</mutatedClass><lineNumber>5</lineNumber><mutator>org.pitest.VoidMutator</mutator><description>given code</description></mutation>
                <mutation detected='true' status='TIMED_OUT'><sourceFile>Other.java</sourceFile><mutatedClass>fixture.calc.Other</mutatedClass><lineNumber>11</lineNumber><mutator>org.pitest.X</mutator><description>another file</description></mutation>
                </mutations>
                """);
        Map<String, List<Regions.Region>> regions = Map.of(
                "fixture/calc/Calc.java",
                List.of(
                        new Regions.Region("fixture/calc/Calc.java", 10, 12, "lab-01", "T1"),
                        new Regions.Region("fixture/calc/Calc.java", 16, 18, "lab-01", "T2")));
        List<Audit.Mutant> mutants = Audit.inRegions(xml, regions);
        assertThat(
                mutants.stream()
                        .map(m -> m.task() + ":" + m.line() + ":" + m.detected())
                        .toList(),
                contains("T1:11:true", "T2:17:false"));
        Audit.SuiteResult suite = new Audit.SuiteResult("hidden", mutants, 1);
        assertThat(suite.score("T1"), closeTo(100.0, 1e-9));
        assertThat(suite.score(null), closeTo(50.0, 1e-9));
    }

    @Test
    void timedOutMutantsCountAsKilledAndAreShownApartPerTask() {
        List<Audit.Mutant> mutants = List.of(
                new Audit.Mutant("a/A.java", 3, "T1", "M", "loop never ends", "TIMED_OUT", true),
                new Audit.Mutant("a/A.java", 4, "T1", "M", "caught", "KILLED", true),
                new Audit.Mutant("a/A.java", 5, "T1", "M", "missed", "SURVIVED", false),
                new Audit.Mutant("a/A.java", 9, "T2", "M", "caught", "KILLED", true));
        Audit.SuiteResult hidden = new Audit.SuiteResult("hidden", mutants, 1);
        assertThat("a timeout is a kill, as PIT counts it", hidden.score("T1"), closeTo(200.0 / 3, 1e-9));
        assertThat(hidden.timedOut("T1"), is(1L));
        assertThat(hidden.timedOut("T2"), is(0L));
        String text = Audit.text(
                new Audit.Report("lab-09", List.of("T1", "T2"), hidden, new Audit.SuiteResult("public", List.of(), 0)));
        assertThat(text, containsString("timed out"));
        assertThat(
                "T1: 3 mutants, 2 killed of which 1 timed out, 1 survived",
                text,
                containsString("T1            3        2          1         1       66.7"));
    }

    @Test
    void aNegativeTimeoutConstantIsRefused() throws IOException {
        Workspace ws = Workspace.at(Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws"))));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new Audit(ws, new PrintStream(OutputStream.nullOutputStream()), true, -1));
        assertThat(e.getMessage(), containsString("-1 ms"));
    }

    @Test
    void auditOfTheFixtureScoresTheHiddenTestsAboveThePublicOnes() throws IOException {
        Path ws = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws")));
        Path out = tmp.resolve("audit");
        // Not offline: on a fresh machine PIT's Maven plugin is downloaded at its first use, here.
        Audit.Report report = new Audit(Workspace.at(ws), new PrintStream(OutputStream.nullOutputStream()), false)
                .run(Workspace.at(ws).lab("01"), null, out);
        assertThat(report.tasks(), contains("T1", "T2", "T3", "T4", "T5", "T6", "T7"));
        assertThat("PIT made mutants in the regions", report.hidden().mutants().size(), greaterThan(6));
        assertThat(
                "the fixture's hidden tests catch every planted bug: " + Audit.text(report),
                report.hidden().score(null),
                closeTo(100.0, 1e-9));
        assertThat("the public tests cover T1 and T2 only", report.publicTests().score(null), lessThan(50.0));
        assertThat(report.publicTests().score("T1"), closeTo(100.0, 1e-9));
        assertThat(Files.readString(out.resolve("audit.txt")), containsString("total"));
        assertThat(Files.isRegularFile(out.resolve("pit-hidden/index.html")), is(true));
        assertThat(Files.readString(out.resolve("audit.json")), containsString("\"suite\": \"public\""));
    }

    @Test
    void aFailedPitRunSaysHowItEndedAndWhatToDo() {
        Path log = Path.of("/tmp/audit/pit-hidden.log");
        String offlineMissing = Audit.pitFailure(
                "lab-06-wal-mvcc",
                "hidden",
                1,
                true,
                log,
                "[ERROR] Plugin org.pitest:pitest-maven:1.17.1 or one of its dependencies could not be resolved");
        assertThat(offlineMissing, containsString("PIT failed on lab-06-wal-mvcc with the hidden tests (exit 1)"));
        assertThat(offlineMissing, containsString("run the audit once without --offline"));
        assertThat(offlineMissing, containsString(log.toString()));
        String killed = Audit.pitFailure("lab-06-wal-mvcc", "hidden", 143, false, log, "Calculated coverage");
        assertThat(killed, containsString("(killed by signal 15)"));
        assertThat(killed, containsString("run the audit again"));
        assertThat(killed, not(containsString("--offline")));
        assertThat(
                "a failure named by the command, not an internal error",
                Main.explain(new IllegalStateException(killed)),
                is(killed));
    }
}
