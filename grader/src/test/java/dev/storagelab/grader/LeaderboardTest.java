package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

import dev.storagelab.grader.GradeReport.LabResult;
import dev.storagelab.grader.GradeReport.PerfResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A class's leaderboard ({@link Leaderboard}): pseudonyms only, a column per performance line, the
 * students of each lab ranked by their ratios to the reference, and nothing that was not measured
 * to the end (a lab with a failing test, a benchmark that caught a wrong answer) ranks.
 */
class LeaderboardTest {

    @TempDir
    Path tmp;

    private static PerfResult counted(String status, double perGet, double reference) {
        return new PerfResult(
                "lab-05",
                "lsm-get-absent",
                "LsmStoreBenchmark.getMissing",
                "keys=100000",
                true,
                "device reads per get",
                perGet / reference,
                perGet / reference,
                perGet / reference,
                reference,
                perGet,
                "device reads per get",
                1.0,
                1,
                true,
                status.equals(PerfResult.MEASURED) ? 6 : 0,
                6,
                status,
                status.equals(PerfResult.MEASURED) ? "measured" : "wrong answer: get(k) returned a value");
    }

    private static PerfResult timed(double ratio) {
        return new PerfResult(
                "lab-05",
                "bloom-probe",
                "BloomBenchmark.mayContain",
                "keys=100000",
                false,
                "CPU time",
                ratio,
                ratio * 0.9,
                ratio * 1.1,
                10,
                10 * ratio,
                "ns/op",
                ratio,
                3,
                true,
                6,
                6,
                PerfResult.MEASURED,
                "measured");
    }

    private static GradeReport report(PerfResult... perf) {
        return new GradeReport(
                "sub",
                List.of(new LabResult("lab-05", "lab-05-lsm", "isolated", null, List.of(), List.of(perf))),
                List.of(),
                1,
                null);
    }

    @Test
    void theReferenceRanksAboveAStudentWhoseRatiosTieWithIt() throws IOException {
        Map<String, GradeReport> reports = new TreeMap<>();
        reports.put("erin", report(counted(PerfResult.MEASURED, 0.043, 0.043)));
        Leaderboard.write(reports, tmp);
        String html = Files.readString(tmp.resolve("leaderboard.html"));
        String erin = Files.readString(tmp.resolve("pseudonyms.csv"))
                .lines()
                .skip(1)
                .findFirst()
                .orElseThrow();
        int reference = html.indexOf("<tr class=\"reference\"><td>1</td><td><em>" + Leaderboard.REFERENCE + "</em>");
        assertThat("the reference is first, marked as such: " + html, reference, not(is(-1)));
        assertThat(
                "a tie with the reference is no place above it",
                html.indexOf("<td>2</td><td>" + erin.substring(0, erin.indexOf(',')) + "</td>"),
                not(is(-1)));
    }

    @Test
    void studentsRankByTheirRatiosUnderPseudonymsAndWrongAnswersNeverRank() throws IOException {
        Map<String, GradeReport> reports = new TreeMap<>();
        reports.put("alice@example.edu", report(counted(PerfResult.MEASURED, 0.043, 0.043), timed(1.2)));
        reports.put("bob <script>", report(counted(PerfResult.MEASURED, 4.0, 0.043), timed(0.9)));
        reports.put("carol", report(counted(PerfResult.FAILED, Double.NaN, Double.NaN), timed(0.5)));
        reports.put("dave", report(counted(PerfResult.NOT_RUN, Double.NaN, Double.NaN)));
        Leaderboard.write(reports, tmp);

        String csv = Files.readString(tmp.resolve("leaderboard.csv"));
        String html = Files.readString(tmp.resolve("leaderboard.html"));
        String names = Files.readString(tmp.resolve("pseudonyms.csv"));
        for (String student : reports.keySet()) {
            assertThat("no name is published: " + student, csv + html, not(containsString(student.split(" ")[0])));
        }
        List<String> rows = csv.lines().toList();
        assertThat(
                rows.get(0),
                equalTo("pseudonym,\"lab-05 bloom-probe (CPU time / reference)\","
                        + "\"lab-05 lsm-get-absent (device reads per get)\""));
        assertThat("dave measured nothing: no row; the reference has one", rows.size(), is(5));
        assertThat(
                "the reference's row: its count per get, and 1 on the timed line",
                rows.get(1),
                equalTo(Leaderboard.REFERENCE + ",1.000,0.04300"));
        Map<String, String> pseudonyms = new TreeMap<>();
        names.lines()
                .skip(1)
                .forEach(l -> pseudonyms.put(l.substring(l.indexOf(',') + 1), l.substring(0, l.indexOf(','))));
        String carol = rows.stream()
                .filter(r -> r.startsWith(pseudonyms.get("carol")))
                .findFirst()
                .orElseThrow();
        assertThat(
                "carol's benchmark caught a wrong answer: her count is not on the board",
                carol,
                equalTo(pseudonyms.get("carol") + ",0.5000,"));
        assertThat(csv, containsString(pseudonyms.get("alice@example.edu") + ",1.200,0.04300"));

        // alice: ratios 1.0 and 1.2; bob: 93 and 0.9; carol: 0.5 alone
        int a = html.indexOf(pseudonyms.get("alice@example.edu"));
        int b = html.indexOf(pseudonyms.get("\"bob <script>\""));
        int c = html.indexOf(pseudonyms.get("carol"));
        int r = html.indexOf("<tr class=\"reference\">");
        assertThat("carol, then the reference, then alice, then bob", c, lessThan(r));
        assertThat(r, lessThan(a));
        assertThat(a, lessThan(b));

        Leaderboard.write(reports, tmp);
        assertThat(
                "the same folder keeps each student's pseudonym",
                Files.readString(tmp.resolve("pseudonyms.csv")),
                equalTo(names));
        Path other = Files.createDirectories(tmp.resolve("other"));
        Leaderboard.write(reports, other);
        assertThat(
                "another folder, another key", Files.readString(other.resolve("pseudonyms.csv")), not(equalTo(names)));
    }
}
