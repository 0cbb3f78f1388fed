package dev.storagelab.grader.report;

import dev.storagelab.grader.feedback.NotImplemented;
import dev.storagelab.grader.perf.PerfResult;
import dev.storagelab.grader.report.GradeReport.LabResult;
import dev.storagelab.grader.report.GradeReport.TestResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link GradeReport} as the course platforms read it: Gradescope's {@code results.json} (its
 * leaderboard too) and PrairieLearn's external grader results, each led by the line a student reads
 * first and the walls that stood. Students see each test's name, concept, status and message, never
 * its source.
 */
final class PlatformResults {

    private PlatformResults() {}

    /**
     * PrairieLearn's external grader results: {@code score} from 0 to 1, a {@code message}, and a
     * test per graded test and benchmark with its {@code points}, {@code max_points} and feedback.
     * A submission the grader could not read at all is not gradable: it costs the student no attempt.
     */
    static Map<String, Object> prairielearn(GradeReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (r.error() != null) {
            m.put("gradable", false);
            m.put("format_errors", List.of(r.error().lines().findFirst().orElse(r.error())));
            m.put("score", 0);
            m.put(
                    "message",
                    withWalls(
                            "Grading could not run: "
                                    + r.error().lines().findFirst().orElse(r.error()),
                            r.walls()));
            m.put("tests", List.of());
            return m;
        }
        m.put("gradable", true);
        m.put("score", r.max() == 0 ? 0 : Math.round(r.earned() / r.max() * 1e6) / 1e6);
        m.put("message", withWalls(headline(r), r.walls()));
        List<Map<String, Object>> tests = new ArrayList<>();
        for (LabResult lab : r.isolated()) {
            if (lab.problem() != null) {
                tests.add(plTest(
                        lab.lab() + " build",
                        "what the grader found before running the tests",
                        0,
                        0,
                        lab.lab() + " " + GradeReport.studentProblem(lab.problem())));
            }
            for (TestResult tr : lab.tests()) {
                tests.add(plTest(
                        lab.lab() + " " + tr.test().displayName(),
                        tr.test().concept(),
                        tr.earned(),
                        tr.max(),
                        tr.outcome().passed() ? "passed" : feedback(tr)));
            }
            for (PerfResult p : lab.perf()) {
                tests.add(plTest(
                        lab.lab() + " performance: " + p.name(),
                        p.benchmark() + (p.params().isEmpty() ? "" : " (" + p.params() + ")"),
                        p.earned(),
                        p.max(),
                        perfFeedback(p)));
            }
        }
        m.put("tests", tests);
        return m;
    }

    private static Map<String, Object> plTest(
            String name, String description, double points, double max, String message) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("description", description);
        t.put("points", ReportWriter.round(points));
        t.put("max_points", ReportWriter.round(max));
        t.put("message", message);
        return t;
    }

    /**
     * The report's first line for the student: the score, led by the limit the grading hit (the
     * container's memory, the time limit) when it hit one, so that it is never a silent 0.
     */
    static String headline(GradeReport r) {
        String limit = r.limitHit();
        String line = limit == null
                ? ReportWriter.summaryLine(r)
                : "Grading hit a limit: " + limit + " The points earned before it are kept: "
                        + ReportWriter.summaryLine(r) + ".";
        for (LabResult lab : r.isolated()) { // a task that hangs, once, where the student reads first
            for (Map.Entry<String, List<TestResult>> e : TaskTable.hangs(lab).entrySet()) {
                line += (line.endsWith(".") ? " " : ". ") + TaskTable.hangLine(lab.lab(), e.getKey(), e.getValue());
            }
        }
        return line;
    }

    /** Gradescope's results format: score, execution_time, output, tests[]. */
    static Map<String, Object> gradescope(GradeReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("score", ReportWriter.round(r.earned()));
        m.put("execution_time", (long) Math.ceil(r.executionSeconds()));
        m.put("output", withWalls(r.error() != null ? "Grading could not run: " + r.error() : headline(r), r.walls()));
        m.put("output_format", "text"); // messages hold what student code wrote: never rendered as Markdown or HTML
        m.put("visibility", "visible");
        m.put("stdout_visibility", "hidden");
        List<Map<String, Object>> tests = new ArrayList<>();
        if (r.error() != null) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", "submission");
            t.put("score", 0);
            t.put("max_score", 0);
            t.put("status", "failed");
            t.put("output", r.error());
            t.put("output_format", "text");
            t.put("visibility", "visible");
            tests.add(t);
        }
        for (LabResult lab : r.isolated()) {
            if (lab.problem() != null) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("name", lab.lab() + " build");
                t.put("score", 0);
                t.put("max_score", 0);
                t.put("status", "failed");
                t.put("output", lab.lab() + " " + GradeReport.studentProblem(lab.problem())); // the student's view
                t.put("output_format", "text");
                t.put("visibility", "visible");
                tests.add(t);
            }
            for (TestResult tr : lab.tests()) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("name", lab.lab() + " " + tr.test().displayName());
                t.put("score", ReportWriter.round(tr.earned()));
                t.put("max_score", ReportWriter.round(tr.max()));
                t.put("status", tr.outcome().passed() ? "passed" : "failed");
                t.put("output", feedback(tr));
                t.put("output_format", "text");
                t.put("visibility", "visible");
                tests.add(t);
            }
        }
        List<Map<String, Object>> leaderboard = new ArrayList<>();
        for (LabResult lab : r.isolated()) {
            for (PerfResult p : lab.perf()) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("name", lab.lab() + " performance: " + p.name() + " (" + p.benchmark() + ")");
                t.put("score", ReportWriter.round(p.earned()));
                t.put("max_score", ReportWriter.round(p.max()));
                t.put("status", p.status().equals(PerfResult.MEASURED) && p.earned() > 0 ? "passed" : "failed");
                t.put("output", perfFeedback(p));
                t.put("output_format", "text");
                t.put("visibility", "visible");
                tests.add(t);
                if (p.measured()) {
                    leaderboard.add(leaderboardEntry(p));
                }
            }
        }
        m.put("tests", tests);
        if (!leaderboard.isEmpty()) {
            m.put("leaderboard", leaderboard);
        }
        return m;
    }

    /**
     * One line's entry on Gradescope's leaderboard: a counted line's count per operation, a timed
     * line's ratio to the reference; lower ranks higher in both. Only a measured line has one: a
     * lab whose tests did not all pass, or whose benchmark caught a wrong answer, never ranks.
     */
    static Map<String, Object> leaderboardEntry(PerfResult p) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", leaderboardName(p));
        entry.put("value", leaderboardValue(p));
        entry.put("order", "asc");
        return entry;
    }

    /** The leaderboard's column for a line: {@code lab-05 lsm-get (device reads per get)}, {@code lab-03 skiplist-put (CPU time / reference)}. */
    public static String leaderboardName(PerfResult p) {
        return p.lab() + " " + p.name() + " (" + (p.counted() ? p.unit() : "CPU time / reference") + ")";
    }

    /** The leaderboard's value for a measured line: the count per operation, or the time ratio; four significant digits. */
    public static double leaderboardValue(PerfResult p) {
        double v = p.counted() ? p.submission() : p.ratio();
        if (Double.isNaN(v) || Double.isInfinite(v) || v == 0) {
            return Double.isInfinite(v) ? Double.MAX_VALUE : v;
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).doubleValue();
    }

    /** What a student reads about one performance line. */
    public static String perfFeedback(PerfResult p) {
        String what = "Benchmark: " + p.benchmark() + (p.params().isEmpty() ? "" : " (" + p.params() + ")")
                + (p.counted()
                        ? ", the work it counts (" + p.measure() + ") over the reference's, in the same grading run."
                        : ", your CPU time per operation over the reference's, in alternating rounds of the same"
                                + " grading run.");
        return what + "\nResult: " + p.message();
    }

    /**
     * What a student reads about one test: what a pass proved; for a failure, the task not
     * implemented yet that it reached (before any concept), else the concept and why it failed.
     */
    public static String feedback(TestResult tr) {
        if (tr.outcome().passed()) {
            return "Checked: " + tr.test().proved();
        }
        String head = "Concept: " + tr.test().concept();
        java.util.Optional<NotImplemented> todo = NotImplemented.in(tr.outcome().message());
        if (todo.isPresent()) {
            return todo.get().message() + "\n" + head;
        }
        String status = tr.outcome().status().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        return head + "\nResult: " + status + "\n" + tr.outcome().message();
    }

    /** {@code text}, then the sentence of the platforms' results that says which walls stood and which did not. */
    static String withWalls(String text, dev.storagelab.grader.sandbox.Walls walls) {
        String line = walls.line();
        return text + (text.endsWith(".") ? " " : ". ") + "Grading " + line + ".";
    }
}
