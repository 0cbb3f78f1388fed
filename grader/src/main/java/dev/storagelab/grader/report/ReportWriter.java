package dev.storagelab.grader.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.storagelab.grader.feedback.NotImplemented;
import dev.storagelab.grader.perf.PerfFigures;
import dev.storagelab.grader.perf.PerfResult;
import dev.storagelab.grader.report.GradeReport.LabResult;
import dev.storagelab.grader.report.GradeReport.TestResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a {@link GradeReport} into the grader's outputs: the platforms' results ({@link
 * PlatformResults}), the full {@code grade.json}, a human {@code report.md}, JUnit XML per lab, and
 * the terminal table.
 * Students see each test's name, concept, status and message, never its source.
 */
public final class ReportWriter {

    private static final Gson GSON = new GsonBuilder()
            .setPrettyPrinting()
            .disableHtmlEscaping()
            .serializeNulls()
            .create();

    private ReportWriter() {}

    /** Writes every file into {@code dir}. */
    public static void writeAll(GradeReport report, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("results.json"), json(PlatformResults.gradescope(report)), StandardCharsets.UTF_8);
        Files.writeString(
                dir.resolve(PRAIRIELEARN), json(PlatformResults.prairielearn(report)), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("grade.json"), json(full(report)), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.md"), markdown(report), StandardCharsets.UTF_8);
        Path junit = Files.createDirectories(dir.resolve("junit"));
        for (LabResult lab : report.isolated()) {
            Files.writeString(junit.resolve("TEST-" + lab.lab() + ".xml"), JUnitXml.of(lab), StandardCharsets.UTF_8);
        }
    }

    /** {@code results} as JSON, every character a terminal would act on written as an escape. */
    private static String json(Map<String, Object> results) {
        return dev.storagelab.grader.workspace.VisibleText.json(GSON.toJson(results));
    }

    /** The results in PrairieLearn's external grader format, beside Gradescope's {@code results.json}. */
    public static final String PRAIRIELEARN = "prairielearn.json";

    static Map<String, Object> full(GradeReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("submission", r.submission());
        m.put("score", round(r.earned()));
        m.put("max_score", round(r.max()));
        m.put("percent", round(r.percent()));
        m.put("execution_seconds", round(r.executionSeconds()));
        m.put("error", r.error());
        m.put(
                "test_jvms",
                dev.storagelab.grader.sandbox.Confinement.current().describe() + "; "
                        + dev.storagelab.grader.sandbox.SandboxPolicy.describe());
        m.put("walls", r.walls().json());
        m.put("isolated", labs(r.isolated()));
        m.put("integrated", labs(r.integrated()));
        return m;
    }

    private static List<Map<String, Object>> labs(List<LabResult> labs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (LabResult lab : labs) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("lab", lab.lab());
            l.put("mode", lab.mode());
            l.put("score", round(lab.earned()));
            l.put("max_score", round(lab.max()));
            l.put("percent", round(lab.percent()));
            l.put("passed", lab.passed());
            l.put("tests_total", lab.tests().size());
            l.put("problem", lab.problem());
            List<Map<String, Object>> tests = new ArrayList<>();
            for (TestResult tr : lab.tests()) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("id", tr.test().id());
                t.put("concept", tr.test().concept());
                t.put("status", tr.outcome().status().name());
                t.put("score", round(tr.earned()));
                t.put("max_score", round(tr.max()));
                t.put("seconds", round(tr.outcome().seconds()));
                t.put("message", tr.outcome().message());
                tests.add(t);
            }
            l.put("tests", tests);
            List<Map<String, Object>> perf = new ArrayList<>();
            for (PerfResult p : lab.perf()) {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("name", p.name());
                b.put("benchmark", p.benchmark());
                b.put("params", p.params());
                b.put("status", p.status());
                b.put("scored_by", p.counted() ? "count" : "cpu time");
                b.put("measure", p.measure());
                b.put("ratio", finite(p.ratio()));
                b.put("interval_95", p.measured() ? java.util.Arrays.asList(finite(p.low()), finite(p.high())) : null);
                b.put("reference", finite(p.reference()));
                b.put("submission", finite(p.submission()));
                b.put("unit", p.unit());
                b.put("cpu_ratio", finite(p.cpuRatio()));
                b.put("rounds", p.rounds());
                b.put("decided", p.decided());
                b.put("score", round(p.earned()));
                b.put("max_score", round(p.max()));
                b.put("message", p.message());
                perf.add(b);
            }
            l.put("performance", perf);
            out.add(l);
        }
        return out;
    }

    static String markdown(GradeReport r) {
        StringBuilder sb = new StringBuilder("# storagelab grade report\n\n");
        sb.append("Submission: ").append(code(r.submission())).append("\n\n");
        sb.append(wallsMarkdown(r.walls()));
        if (isLocalCheck(r)) {
            sb.append("_Local checks: this workspace has no hidden tests (a student release), so its public tests ran")
                    .append(r.overOwnLabs() ? OVER_OWN_LABS + "; " + INSTRUCTOR_DIFFERS : "")
                    .append("._\n\n");
        }
        if (r.error() != null) {
            sb.append("**Grading could not run:**\n\n")
                    .append(fenced(r.error(), ""))
                    .append("\n");
            return sb.toString();
        }
        sb.append(String.format(
                Locale.ROOT,
                "**Score: %.1f / %.1f (%.1f%%)** in %.0f s%n%n",
                r.earned(),
                r.max(),
                r.percent(),
                r.executionSeconds()));
        TaskTable.append(r, sb);
        boolean own = r.overOwnLabs(); // a release's own grade: no reference, so no isolated or integrated
        sb.append(
                own
                        ? "| lab | tests passed | points | score |\n|---|---|---|---|\n"
                        : "| lab | tests passed | points | isolated | integrated |\n|---|---|---|---|---|\n");
        for (LabResult lab : r.isolated()) {
            LabResult in = r.integratedFor(lab.lab());
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %d / %d | %.1f / %.1f | %.1f%% |%s%n",
                    lab.lab(),
                    lab.passed(),
                    lab.tests().size(),
                    lab.earned(),
                    lab.max(),
                    lab.percent(),
                    own ? "" : in == null ? " - |" : String.format(Locale.ROOT, " %.1f%% |", in.percent())));
        }
        sb.append("\nTest JVMs: ")
                .append(dev.storagelab.grader.sandbox.Confinement.current().describe())
                .append("; ")
                .append(dev.storagelab.grader.sandbox.SandboxPolicy.describe())
                .append(".\n");
        for (LabResult lab : r.isolated()) {
            sb.append("\n## ").append(lab.lab()).append("\n\n");
            if (lab.problem() != null) {
                sb.append("**")
                        .append(lab.lab())
                        .append(" ")
                        .append(inline(lab.problem().lines().findFirst().orElse("")))
                        .append("**\n\n")
                        .append(fenced(lab.problem(), ""))
                        .append("\n");
            }
            String blocked = own ? blockedLine(lab) : null;
            if (blocked != null) {
                sb.append("**")
                        .append(lab.lab())
                        .append(": ")
                        .append(inline(blocked))
                        .append(".**\n\n");
            }
            // The tasks not implemented yet, once each, before any concept; their tests are counted there.
            Map<String, List<TestResult>> waiting = TaskTable.notImplemented(lab);
            for (List<TestResult> tests : waiting.values()) {
                NotImplemented first =
                        NotImplemented.in(tests.get(0).outcome().message()).orElseThrow();
                double points = tests.stream().mapToDouble(TestResult::max).sum();
                sb.append("**")
                        .append(inline(first.message()))
                        .append("**: ")
                        .append(tests.size())
                        .append(tests.size() == 1 ? " test" : " tests")
                        .append(" (")
                        .append(fmt(points))
                        .append(points == 1 ? " point" : " points")
                        .append(") reached it\n\n");
            }
            // A task that hangs, once: what its first hung test waited on, whole; its tests' lines point here.
            for (Map.Entry<String, List<TestResult>> e : TaskTable.hangs(lab).entrySet()) {
                List<TestResult> hung = e.getValue();
                double points = hung.stream().mapToDouble(TestResult::max).sum();
                sb.append("**")
                        .append(inline(TaskTable.hangLine(lab.lab(), e.getKey(), hung)))
                        .append("** (")
                        .append(fmt(points))
                        .append(points == 1 ? " point" : " points")
                        .append(")\n\n")
                        .append(fenced(hung.get(0).outcome().message(), ""))
                        .append("\n");
            }
            // The failures first, then the passes: what is left to do before what is done.
            List<TestResult> listed = new ArrayList<>(lab.tests());
            listed.sort(java.util.Comparator.comparing(t -> t.outcome().passed()));
            for (TestResult tr : listed) {
                if (!tr.outcome().passed()
                        && NotImplemented.in(tr.outcome().message()).isPresent()) {
                    continue; // said above, once per task
                }
                boolean hung = tr.outcome().status() == dev.storagelab.grader.run.TestSupervisor.Status.HUNG;
                sb.append(tr.outcome().passed() ? "- PASS " : "- **FAIL** ")
                        .append(code(tr.test().displayName()))
                        .append(" (")
                        .append(fmt(tr.earned()))
                        .append('/')
                        .append(fmt(tr.max()))
                        .append(
                                tr.test().task().isEmpty()
                                        ? ""
                                        : ", " + inline(tr.test().task()))
                        .append("): ")
                        .append(inline(
                                tr.outcome().passed()
                                        ? tr.test().proved()
                                        : localCheckless(tr.test().concept())))
                        .append(
                                hung
                                        ? " (hangs: said above, at "
                                                + inline(
                                                        tr.test().task().isEmpty()
                                                                ? "the lab"
                                                                : tr.test().task()) + ")"
                                        : "")
                        .append('\n');
                if (!tr.outcome().passed() && !hung && !tr.outcome().message().isBlank()) {
                    sb.append(fenced(tr.outcome().message(), "  "));
                }
            }
            if (!lab.perf().isEmpty()) {
                sb.append("\nPerformance (your figure over the reference's, measured in the same run; 1.00x is as"
                        + " the reference; a counted line is the work the lab teaches to save, the same on any"
                        + " machine):\n\n");
                sb.append("| line | measure | yours | reference | ratio | 95% interval | points | result |\n"
                        + "|---|---|---|---|---|---|---|---|\n");
                for (PerfResult p : lab.perf()) {
                    boolean m = p.measured();
                    sb.append(String.format(
                            Locale.ROOT,
                            "| %s `%s` %s | %s | %s | %s | %s | %s | %s / %s | %s |%n",
                            p.name(),
                            p.benchmark(),
                            inline(p.params()),
                            inline(p.counted() ? p.measure() : "CPU time (" + p.unit() + ")"),
                            m ? PerfFigures.number(p.submission()) : "-",
                            m ? PerfFigures.number(p.reference()) : "-",
                            m ? PerfFigures.ratio(p.ratio()) : "-",
                            !m
                                    ? "-"
                                    : p.counted()
                                            ? "exact (counted)"
                                            : PerfFigures.ratio(p.low()) + " to " + PerfFigures.ratio(p.high()),
                            fmt(p.earned()),
                            fmt(p.max()),
                            inline(p.message())));
                }
            }
        }
        List<PerfResult> undecided = r.undecidedPerf();
        if (!undecided.isEmpty()) {
            sb.append("\n**Note for the instructor:** the machine was too noisy to decide ")
                    .append(undecided.size())
                    .append(undecided.size() == 1 ? " timed performance line" : " timed performance lines")
                    .append(" (")
                    .append(inline(String.join(
                            ", ",
                            undecided.stream()
                                    .map(p -> p.lab() + " " + p.name())
                                    .toList())))
                    .append("): each scored the better of the bands its interval straddled. Grade again on a"
                            + " quieter machine (or `grade-all --jobs 1`) to decide them.\n");
        }
        return sb.toString();
    }

    /**
     * {@code text} as a fenced code block, every line indented by {@code indent}: its fence is longer
     * than any run of backticks in it, so nothing in a message (a forged heading, an image, a link)
     * can end the block and be read as Markdown.
     */
    static String fenced(String text, String indent) {
        String shown = dev.storagelab.grader.workspace.VisibleText.of(text.replace("\r\n", "\n"));
        String fence = "`".repeat(Math.max(3, longestBacktickRun(shown) + 1));
        return indent + fence + "\n" + indent + shown.replace("\n", "\n" + indent) + "\n" + indent + fence + "\n";
    }

    /** {@code text} as inline code, with a fence longer than any run of backticks in it. */
    static String code(String text) {
        String oneLine = dev.storagelab.grader.workspace.VisibleText.line(text.replace('\n', ' '));
        String fence = "`".repeat(longestBacktickRun(oneLine) + 1);
        return fence + " " + oneLine + " " + fence;
    }

    /**
     * {@code text} on one line, with every character that Markdown or HTML would read as markup
     * escaped: no heading, list, emphasis, code span, link, image, table cell, strikethrough or tag
     * can come out of it. What is markup only beside another mark is left as it is: a parenthesis
     * (a link needs the brackets before it, escaped), a {@code #} or {@code !} inside a line.
     */
    static String inline(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 16);
        String shown = dev.storagelab.grader.workspace.VisibleText.line(text.replace('\n', ' '));
        int first = shown.length() - shown.stripLeading().length();
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            if (c == '\\' && (i + 1 == shown.length() || !isAsciiPunctuation(shown.charAt(i + 1)))) {
                sb.append(c); // escapes nothing there (a visible code, \x1B): shown as it is
                continue;
            }
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '\\', '`', '*', '_', '[', ']', '|', '~' -> sb.append('\\').append(c);
                // at the start of a line, before no letter or digit: a heading, a list item, a rule
                case '#', '+', '-', '=' ->
                    sb.append(i == first && !wordFollows(shown, i) ? "\\" : "").append(c);
                // after the digits a line starts with, before a space: an ordered list's item
                case '.', ')' ->
                    sb.append(listNumber(shown, first, i) ? "\\" : "").append(c);
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A local check's concept without the words every local check shares, which the report says once at its top. */
    private static String localCheckless(String concept) {
        return dev.storagelab.grader.workspace.HiddenTests.isLocalCheck(concept)
                ? concept.substring(dev.storagelab.grader.workspace.HiddenTests.LOCAL_CHECK.length())
                : concept;
    }

    /** Whether a letter or a digit follows position {@code i} of {@code s}. */
    private static boolean wordFollows(String s, int i) {
        return i + 1 < s.length() && Character.isLetterOrDigit(s.charAt(i + 1));
    }

    /** Whether the {@code .} or {@code )} at {@code i} ends an ordered list's number: digits from {@code first}, then a space. */
    private static boolean listNumber(String s, int first, int i) {
        return i > first && s.substring(first, i).matches("\\d+") && (i + 1 == s.length() || s.charAt(i + 1) == ' ');
    }

    private static boolean isAsciiPunctuation(char c) {
        return c > ' ' && c < 0x7f && !Character.isLetterOrDigit(c);
    }

    private static int longestBacktickRun(String text) {
        int longest = 0;
        int run = 0;
        for (char c : text.toCharArray()) {
            run = c == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return longest;
    }

    /** The per-lab table for the terminal. */
    public static void printTable(GradeReport r, PrintWriter out) {
        if (r.error() != null) {
            out.println("grading could not run: " + dev.storagelab.grader.workspace.VisibleText.of(r.error()));
            printWalls(r.walls(), out);
            return;
        }
        boolean own = r.overOwnLabs(); // a release's own grade: no reference, so no isolated or integrated
        if (isLocalCheck(r)) {
            out.println("local checks: this workspace has no hidden tests (a student release), so its public tests ran"
                    + (own ? OVER_OWN_LABS : ""));
        }
        out.println(String.format(
                        Locale.ROOT,
                        "%-8s %-12s %-16s %-14s %-10s %-10s",
                        "lab",
                        "tests",
                        "points",
                        "of which perf",
                        own ? "score" : "isolated",
                        own ? "" : "integrated")
                .stripTrailing());
        for (LabResult lab : r.isolated()) {
            LabResult in = r.integratedFor(lab.lab());
            out.println(String.format(
                            Locale.ROOT,
                            "%-8s %-12s %-16s %-14s %-10s %-10s",
                            lab.lab(),
                            lab.passed() + "/" + lab.tests().size(),
                            fmt(lab.earned()) + "/" + fmt(lab.max()),
                            lab.perf().isEmpty() ? "-" : fmt(lab.perfEarned()) + "/" + fmt(lab.perfMax()),
                            String.format(Locale.ROOT, "%.1f%%", lab.percent()),
                            own ? "" : in == null ? "-" : String.format(Locale.ROOT, "%.1f%%", in.percent()))
                    .stripTrailing());
            String blocked = own ? blockedLine(lab) : null;
            if (blocked != null) {
                out.println("         " + terminal(blocked));
            }
            for (PerfResult p : lab.perf()) {
                out.printf(
                        Locale.ROOT,
                        "         perf %-22s %-8s %s%n",
                        terminal(p.name()),
                        fmt(p.earned()) + "/" + fmt(p.max()),
                        terminal(p.message().lines().findFirst().orElse("")));
            }
            if (lab.problem() != null) {
                out.println(
                        "         " + terminal(lab.problem().lines().findFirst().orElse("")));
            }
            for (Map.Entry<String, List<TestResult>> e : TaskTable.hangs(lab).entrySet()) {
                out.println("         " + terminal(TaskTable.hangLine(lab.lab(), e.getKey(), e.getValue())));
            }
        }
        List<PerfResult> undecided = r.undecidedPerf();
        if (!undecided.isEmpty()) {
            out.println("note: the machine was too noisy to decide " + undecided.size()
                    + " timed performance line(s) ("
                    + String.join(
                            ", ",
                            undecided.stream()
                                    .map(p -> p.lab() + " " + p.name())
                                    .toList())
                    + "); each scored the better band its interval reached: grade again on a quieter machine to"
                    + " decide them");
        }
        out.printf(
                Locale.ROOT,
                "%-8s %-12s %-16s %-14s %-10s%n",
                "total",
                "",
                fmt(r.earned()) + "/" + fmt(r.max()),
                "",
                String.format(Locale.ROOT, "%.1f%%", r.percent()));
        if (own) {
            out.println(INSTRUCTOR_DIFFERS);
        }
        printWalls(r.walls(), out);
    }

    /** How a release's own grade ran each lab, after the words that say its public tests ran. */
    static final String OVER_OWN_LABS = ", each lab over your own code of the labs before it";

    /** How the instructor's grade differs from a release's own, in one line. */
    static final String INSTRUCTOR_DIFFERS = "the instructor grades each lab over the reference solution of the labs"
            + " before it, not over yours: there a lab's tests run on its own code alone, and none stops at an"
            + " earlier lab of yours";

    /**
     * What a release's own grade of {@code lab} lost to the student's earlier labs, apart from the
     * lab's own failures: "of the 26 points lost, 24 went to 24 tests that stopped at lab-01's T6
     * and T8 (not implemented yet), 2 to lab-02's own failures"; null when no test stopped at an
     * earlier lab.
     */
    static String blockedLine(LabResult lab) {
        List<GradeReport.Blocked> blocked = lab.blocked();
        if (blocked.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder("of the ")
                .append(fmt(lab.lost()))
                .append(lab.lost() == 1 ? " point" : " points")
                .append(" lost, ");
        double stopped = 0;
        for (GradeReport.Blocked b : blocked) {
            List<String> tasks = b.tasks();
            sb.append(stopped == 0 ? "" : ", ")
                    .append(fmt(b.points()))
                    .append(stopped == 0 ? " went to " : " to ")
                    .append(b.tests())
                    .append(b.tests() == 1 ? " test" : " tests")
                    .append(" that stopped at ")
                    .append(b.lab())
                    .append("'s ")
                    .append(
                            tasks.size() == 1
                                    ? tasks.get(0)
                                    : String.join(", ", tasks.subList(0, tasks.size() - 1)) + " and "
                                            + tasks.get(tasks.size() - 1));
            stopped += b.points();
        }
        sb.append(" (not implemented yet)");
        double own = lab.lost() - stopped;
        if (own > 0.005) {
            sb.append(", ").append(fmt(own)).append(" to ").append(lab.lab()).append("'s own failures");
        }
        return sb.toString();
    }

    /** The walls that stood, and a warning line for each that did not. */
    public static void printWalls(dev.storagelab.grader.sandbox.Walls walls, PrintWriter out) {
        out.println(walls.line());
        walls.warnings().forEach(out::println);
    }

    /** The report's paragraph on the walls: which stood, and why any did not. */
    static String wallsMarkdown(dev.storagelab.grader.sandbox.Walls walls) {
        StringBuilder sb = new StringBuilder("Walls: ")
                .append(String.join(", ", walls.standing()))
                .append(walls.all() ? " (all three).\n\n" : ".\n\n");
        if (!walls.all()) {
            sb.append("**Graded without:**\n\n");
            for (String reason : walls.reasons()) {
                sb.append("- ").append(inline(reason)).append('\n');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * {@code text} for a line of the terminal: what a student wrote (a file name in a compile error,
     * a message) can hold escape sequences that would move the cursor, hide a row or retitle the
     * window; each is shown as a visible code instead.
     */
    public static String terminal(String text) {
        return dev.storagelab.grader.workspace.VisibleText.line(text);
    }

    /** Whether the report graded public tests as local checks (a student release has no hidden tests). */
    static boolean isLocalCheck(GradeReport r) {
        return r.isolated().stream()
                .flatMap(l -> l.tests().stream())
                .anyMatch(t -> dev.storagelab.grader.workspace.HiddenTests.isLocalCheck(
                        t.test().concept()));
    }

    static String summaryLine(GradeReport r) {
        return String.format(
                Locale.ROOT,
                "%.1f / %.1f points (%.1f%%) over %d lab(s)",
                r.earned(),
                r.max(),
                r.percent(),
                r.isolated().size());
    }

    static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.format(Locale.ROOT, "%.1f", d);
    }

    /** {@code d} for JSON, as measured; null when not measured (NaN) or unbounded (a count over a reference's zero). */
    private static Double finite(double d) {
        return Double.isNaN(d) || Double.isInfinite(d) ? null : d;
    }

    static double round(double d) {
        return Math.round(d * 100) / 100.0;
    }
}
