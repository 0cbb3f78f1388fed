package dev.storagelab.grader;

import dev.storagelab.grader.GradeReport.LabResult;
import dev.storagelab.grader.GradeReport.PerfResult;
import dev.storagelab.grader.report.ReportWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A class's performance leaderboard, from a batch's reports: {@code leaderboard.csv}, a row per
 * student under a pseudonym and a column per performance line (a counted line's count per
 * operation, a timed line's CPU time over the reference's; lower is better in both), and
 * {@code leaderboard.html}, a small static page with one table per lab, its students ranked by the
 * geometric mean of their ratios to the reference over the lab's lines. Only lines measured to the
 * end appear: a lab whose tests did not all pass, or whose benchmark caught a wrong answer, never
 * ranks. Each table and the CSV have a row for the reference solution ({@value #REFERENCE}), measured in
 * every grading beside the student's: its ratio to itself is 1.00 on every line, and it ranks above a
 * student whose mean ratio ties with it, so a class sees where honest work stands, and work that only
 * matched the reference by moving it out of what was counted never ranks above it. The pseudonyms are
 * keyed by a secret kept in the output folder ({@value #KEY_FILE}), so the
 * same student keeps the same pseudonym from one batch to the next there, and
 * {@value #NAMES_FILE} maps them back, for the instructor only.
 */
public final class Leaderboard {

    /** The secret the pseudonyms are keyed by, kept beside the results. */
    static final String KEY_FILE = ".leaderboard-key";

    /** Which student each pseudonym is: the instructor's, not to be published with the leaderboard. */
    static final String NAMES_FILE = "pseudonyms.csv";

    /** The reference solution's row: its name in the CSV and the tables (no pseudonym looks like it). */
    static final String REFERENCE = "reference solution";

    private final Map<String, GradeReport> reports;
    private final byte[] key;

    private Leaderboard(Map<String, GradeReport> reports, byte[] key) {
        this.reports = reports;
        this.key = key;
    }

    /** Writes {@code leaderboard.csv}, {@code leaderboard.html} and {@value #NAMES_FILE} into {@code out}. */
    public static void write(Map<String, GradeReport> reports, Path out) throws IOException {
        Leaderboard board = new Leaderboard(reports, key(out));
        Files.writeString(out.resolve("leaderboard.csv"), board.csv(), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("leaderboard.html"), board.html(), StandardCharsets.UTF_8);
        StringBuilder names = new StringBuilder("pseudonym,student\n");
        reports.keySet()
                .forEach(s -> names.append(board.pseudonym(s))
                        .append(',')
                        .append(Gradebook.quote(s))
                        .append('\n'));
        Files.writeString(out.resolve(NAMES_FILE), names.toString(), StandardCharsets.UTF_8);
    }

    /** The secret in {@code out}, made the first time (readable by its owner only). */
    private static byte[] key(Path out) throws IOException {
        Path file = out.resolve(KEY_FILE);
        if (Files.isRegularFile(file)) {
            return HexFormat.of()
                    .parseHex(Files.readString(file, StandardCharsets.UTF_8).strip());
        }
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        Files.writeString(file, HexFormat.of().formatHex(k) + "\n", StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the folder's own permissions guard it
        }
        return k;
    }

    /** A student's pseudonym: {@code p-} and six hex digits of a keyed hash of their name. */
    String pseudonym(String student) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] h = mac.doFinal(student.getBytes(StandardCharsets.UTF_8));
            return "p-" + HexFormat.of().formatHex(h, 0, 3);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** The columns: every performance line any report has, by {@code lab name}, each with its heading. */
    private Map<String, String> columns() {
        Map<String, String> columns = new java.util.TreeMap<>();
        for (GradeReport r : reports.values()) {
            for (LabResult lab : r.isolated()) {
                for (PerfResult p : lab.perf()) {
                    columns.putIfAbsent(p.lab() + " " + p.name(), ReportWriter.leaderboardName(p));
                }
            }
        }
        return columns;
    }

    /** The student's measured lines, by {@code lab name}. */
    private static Map<String, PerfResult> measured(GradeReport r) {
        Map<String, PerfResult> lines = new LinkedHashMap<>();
        for (LabResult lab : r.isolated()) {
            for (PerfResult p : lab.perf()) {
                if (p.measured()) {
                    lines.put(p.lab() + " " + p.name(), p);
                }
            }
        }
        return lines;
    }

    String csv() {
        Map<String, String> columns = columns();
        StringBuilder sb = new StringBuilder("pseudonym");
        columns.values().forEach(heading -> sb.append(',').append(Gradebook.quote(heading)));
        sb.append('\n');
        List<String> rows = new ArrayList<>();
        for (Map.Entry<String, GradeReport> e : reports.entrySet()) {
            Map<String, PerfResult> lines = measured(e.getValue());
            if (lines.isEmpty()) {
                continue; // nothing measured: nothing to rank
            }
            StringBuilder row = new StringBuilder(pseudonym(e.getKey()));
            for (String c : columns.keySet()) {
                PerfResult p = lines.get(c);
                row.append(',')
                        .append(
                                p == null
                                        ? ""
                                        : PerfFigures.number(ReportWriter.leaderboardValue(p))
                                                .replace(",", ""));
            }
            rows.add(row.toString());
        }
        if (!rows.isEmpty()) {
            StringBuilder row = new StringBuilder(REFERENCE);
            Map<String, PerfResult> reference = referenceFigures();
            for (String c : columns.keySet()) {
                PerfResult p = reference.get(c);
                row.append(',')
                        .append(
                                p == null
                                        ? ""
                                        : PerfFigures.number(referenceValue(p)).replace(",", ""));
            }
            sb.append(row).append('\n');
        }
        rows.stream().sorted().forEach(r -> sb.append(r).append('\n'));
        return sb.toString();
    }

    /** Each line's first measured result in any report: where the reference's figure is read (the same in each). */
    private Map<String, PerfResult> referenceFigures() {
        Map<String, PerfResult> lines = new LinkedHashMap<>();
        for (GradeReport r : reports.values()) {
            measured(r).forEach(lines::putIfAbsent);
        }
        return lines;
    }

    /** The reference's value in the CSV: its count per operation on a counted line, its ratio to itself (1) on a timed one. */
    private static double referenceValue(PerfResult p) {
        double v = p.counted() ? p.reference() : 1.0;
        return Double.isFinite(v) && v != 0
                ? new java.math.BigDecimal(v)
                        .round(new java.math.MathContext(4))
                        .doubleValue()
                : v;
    }

    String html() {
        StringBuilder sb = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>storagelab performance leaderboard</title>
                <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}\
                td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}th:first-child,td:first-child{text-align:left}\
                tr.reference{background:#eef}</style>
                </head><body>
                <h1>Performance leaderboard</h1>
                <p>Each lab's students, by the geometric mean of their ratios to the reference over the lab's
                performance lines (1.00 is as the reference; lower is better). A counted line is the work the lab
                teaches to save, counted the same on any machine from the moment the structure is built or
                opened, on data another process wrote; a timed line is CPU time. Only work whose every test passed
                and whose answers were checked ranks. The <em>reference solution</em>, measured beside each
                student, is 1.00 on every line, and ranks above a mean that ties with it.</p>
                """);
        Map<String, List<String>> byLab = new LinkedHashMap<>();
        for (String c : columns().keySet()) {
            byLab.computeIfAbsent(c.substring(0, c.indexOf(' ')), l -> new ArrayList<>())
                    .add(c);
        }
        Map<String, PerfResult> reference = referenceFigures();
        for (Map.Entry<String, List<String>> lab : byLab.entrySet()) {
            record Row(String pseudonym, double mean, Map<String, PerfResult> lines, boolean reference) {}
            List<Row> rows = new ArrayList<>();
            for (Map.Entry<String, GradeReport> e : reports.entrySet()) {
                Map<String, PerfResult> lines = measured(e.getValue());
                double logs = 0;
                int n = 0;
                for (String c : lab.getValue()) {
                    PerfResult p = lines.get(c);
                    if (p != null && p.ratio() > 0 && !Double.isInfinite(p.ratio())) {
                        logs += Math.log(p.ratio());
                        n++;
                    }
                }
                if (n > 0) {
                    rows.add(new Row(pseudonym(e.getKey()), Math.exp(logs / n), lines, false));
                }
            }
            if (rows.isEmpty()) {
                continue;
            }
            rows.add(new Row(REFERENCE, 1.0, Map.of(), true));
            // the reference first among equal means: a tie with it is no place above it
            rows.sort(Comparator.comparingDouble(Row::mean)
                    .thenComparing(Row::reference, Comparator.reverseOrder())
                    .thenComparing(Row::pseudonym));
            sb.append("<h2>").append(escape(lab.getKey())).append("</h2>\n<table><tr><th>rank</th><th>student</th>");
            sb.append("<th>mean ratio</th>");
            for (String c : lab.getValue()) {
                sb.append("<th>")
                        .append(escape(c.substring(c.indexOf(' ') + 1)))
                        .append("</th>");
            }
            sb.append("</tr>\n");
            int rank = 0;
            for (Row row : rows) {
                sb.append(row.reference() ? "<tr class=\"reference\"><td>" : "<tr><td>")
                        .append(++rank)
                        .append("</td><td>")
                        .append(row.reference() ? "<em>" + REFERENCE + "</em>" : escape(row.pseudonym()))
                        .append("</td><td>")
                        .append(String.format(Locale.ROOT, "%.2f", row.mean()))
                        .append("</td>");
                for (String c : lab.getValue()) {
                    PerfResult p = row.lines().get(c);
                    sb.append("<td>")
                            .append(
                                    row.reference()
                                            ? reference.containsKey(c) ? escape(PerfFigures.ratio(1.0)) : "-"
                                            : p == null ? "-" : escape(PerfFigures.ratio(p.ratio())))
                            .append("</td>");
                }
                sb.append("</tr>\n");
            }
            sb.append("</table>\n");
        }
        return sb.append("</body></html>\n").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
