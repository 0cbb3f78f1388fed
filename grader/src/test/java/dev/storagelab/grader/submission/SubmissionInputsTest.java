package dev.storagelab.grader.submission;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.storagelab.grader.grade.Fixtures;
import dev.storagelab.grader.grade.Grader;
import dev.storagelab.grader.platform.GradescopeLayoutTest;
import dev.storagelab.grader.report.GradeReport;
import dev.storagelab.grader.report.ReportWriter;
import dev.storagelab.grader.workspace.FileTrees;
import dev.storagelab.grader.workspace.Workspace;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What students upload to a platform when something is off: an empty submission, a zip inside a
 * zip, a source file of 1 GiB, file names that are not UTF-8, another lab's files, and a grading
 * that runs out of time. Each gets one line, in Gradescope's and PrairieLearn's results alike, and
 * the grader never crashes.
 */
class SubmissionInputsTest {

    @TempDir
    static Path tmp;

    private static Path workspace;

    @BeforeAll
    static void fixture() throws IOException {
        workspace = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws")));
    }

    private static Grader grader() throws IOException {
        return new Grader(Workspace.at(workspace), new PrintStream(OutputStream.nullOutputStream()), true)
                .sharedReference(Fixtures.sharedReference(workspace));
    }

    /** Grades {@code submission} on lab 01 and checks that both platforms' results say {@code expected} in one line. */
    private static GradeReport gradedWithOneLine(Path submission, String expected) throws IOException {
        GradeReport report = grader().grade(
                        submission, List.of("01"), Grader.Mode.ISOLATED, Files.createTempDirectory(tmp, "scratch"));
        assertThat(report.error(), notNullValue());
        assertThat(report.error(), containsString(expected));
        assertThat("one line: " + report.error(), report.error(), not(containsString("\n")));
        Path out = Files.createTempDirectory(tmp, "out");
        ReportWriter.writeAll(report, out);
        JsonObject gs = JsonParser.parseString(Files.readString(out.resolve("results.json")))
                .getAsJsonObject();
        assertThat(gs.get("output").getAsString(), containsString(expected));
        assertThat(GradescopeLayoutTest.schemaProblems(gs), is(List.of()));
        JsonObject pl = JsonParser.parseString(Files.readString(out.resolve(ReportWriter.PRAIRIELEARN)))
                .getAsJsonObject();
        assertThat(pl.get("message").getAsString(), containsString(expected));
        assertThat(pl.get("message").getAsString(), not(containsString("\n")));
        return report;
    }

    /** A zip holding one lab-01 file named {@code name}, its entry names written in {@code names}. */
    private static void zipOfCalc(Path zip, java.nio.charset.Charset names, String name) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip), names)) {
            z.putNextEntry(new ZipEntry("lab-01-calc/src/main/java/fixture/calc/" + name));
            z.write("class Calc {}".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void anEmptySubmissionIsToldWhatToSubmit() throws IOException {
        gradedWithOneLine(Files.createDirectories(tmp.resolve("empty")), "cannot find a storagelab workspace");
    }

    @Test
    void aZipInsideAZipIsNamed() throws IOException {
        Path outer = Files.createDirectories(tmp.resolve("zipzip"));
        zipOfCalc(outer.resolve("my-lab.zip"), StandardCharsets.UTF_8, "Calc.java");
        gradedWithOneLine(outer, "the submission holds a zip (my-lab.zip) but no workspace");
    }

    @Test
    void aGigabyteSourceFileIsRefusedBeforeAnythingReadsIt() throws IOException {
        Path sub = tmp.resolve("huge");
        Path sources = Files.createDirectories(sub.resolve("lab-01-calc/src/main/java/fixture/calc"));
        try (RandomAccessFile f =
                new RandomAccessFile(sources.resolve("Calc.java").toFile(), "rw")) {
            f.setLength(1L << 30); // sparse: a gigabyte to the file system, no disk
        }
        gradedWithOneLine(sub, "Calc.java is 1024 MiB; a source file of this course is at most 1 MiB");
    }

    @Test
    void aFileNameThatIsNotUtf8IsRefusedInAFolder() throws Exception {
        Path sub = tmp.resolve("latin1");
        Path sources = Files.createDirectories(sub.resolve("lab-01-calc/src/main/java/fixture/calc"));
        // Java cannot write such a name itself: the shell writes the bytes as they are.
        Process p =
                new ProcessBuilder("bash", "-c", "touch \"$1\"/$'Calc\\xe9.java'", "touch", sources.toString()).start();
        assertThat(p.waitFor(), is(0));
        gradedWithOneLine(sub, "is not UTF-8");
    }

    @Test
    void aZipWhoseNamesAreNotUtf8IsRefused() throws IOException {
        Path zip = tmp.resolve("latin1.zip");
        zipOfCalc(zip, StandardCharsets.ISO_8859_1, "Calc\u00e9.java");
        gradedWithOneLine(zip, "not UTF-8");
    }

    @Test
    void anotherLabsFilesGetOneLinePerLabAndNoCrash() throws IOException {
        Path sub = tmp.resolve("wrong-lab");
        FileTrees.copy(
                workspace.resolve("lab-02-twice/src/main/java"), sub.resolve("lab-02-twice/src/main/java"), p -> true);
        GradeReport report =
                grader().grade(sub, List.of("01"), Grader.Mode.ISOLATED, Files.createTempDirectory(tmp, "scratch"));
        assertThat(report.error(), is((String) null));
        assertThat(
                report.isolated().get(0).problem(),
                startsWith("not submitted: the submission has no lab-01-calc/src/main/java"));
        assertThat(report.earned(), closeTo(0, 1e-9));
    }

    @Test
    void aGradingOutOfTimeKeepsWhatItGradedAndSaysSoInEachPlatformsResults() throws IOException {
        Path sub = tmp.resolve("reference-sources");
        FileTrees.copy(
                workspace.resolve("lab-01-calc/src/main/java"), sub.resolve("lab-01-calc/src/main/java"), p -> true);
        FileTrees.copy(
                workspace.resolve("lab-02-twice/src/main/java"), sub.resolve("lab-02-twice/src/main/java"), p -> true);
        List<GradeReport> partial = new ArrayList<>();
        // No time at all: the reference is still built (its tests say what there was to earn), no lab is graded.
        GradeReport report = grader().timeLimit(Duration.ZERO)
                .partialResults(partial::add)
                .grade(sub, List.of(), Grader.Mode.ISOLATED, Files.createTempDirectory(tmp, "scratch"));
        assertThat(report.error(), is((String) null));
        assertThat("a partial report after each lab", partial.size(), is(2));
        assertThat(
                report.isolated().get(0).problem(),
                startsWith("not graded: the grading's time limit of 0 s was reached"));
        assertThat(report.limitHit(), startsWith("lab-01 not graded: the grading's time limit of 0 s"));
        assertThat("the tests there were are in the maximum", report.max() > 0, is(true));
        Path out = Files.createTempDirectory(tmp, "out");
        ReportWriter.writeAll(report, out);
        JsonObject gs = JsonParser.parseString(Files.readString(out.resolve("results.json")))
                .getAsJsonObject();
        assertThat(
                gs.get("output").getAsString(),
                startsWith("Grading hit a limit: lab-01 not graded: the grading's time limit"));
        JsonObject pl = JsonParser.parseString(Files.readString(out.resolve(ReportWriter.PRAIRIELEARN)))
                .getAsJsonObject();
        assertThat(pl.get("message").getAsString(), startsWith("Grading hit a limit:"));
        assertThat(pl.get("gradable").getAsBoolean(), is(true));
    }
}
