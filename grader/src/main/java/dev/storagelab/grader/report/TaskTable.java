package dev.storagelab.grader.report;

import dev.storagelab.grader.GradeReport;
import dev.storagelab.grader.GradeReport.LabResult;
import dev.storagelab.grader.GradeReport.TestResult;
import dev.storagelab.grader.NotImplemented;
import dev.storagelab.grader.TestSupervisor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The report's first table: per lab, per task of its handout, the points earned of the points its
 * tests are worth (each test counts under the task its {@code @Graded} names), so a student sees
 * which task lost them; the performance points in a row of their own.
 */
final class TaskTable {

    /** Tasks in their numeric order (T2 before T10); tests of no task last. */
    private static final Comparator<String> ORDER = Comparator.comparing((String t) -> t.isEmpty())
            .thenComparingInt(t -> t.matches("T\\d+") ? Integer.parseInt(t.substring(1)) : Integer.MAX_VALUE)
            .thenComparing(Comparator.naturalOrder());

    private TaskTable() {}

    /** Appends the table of every lab of {@code r} (its isolated results) to {@code sb}. */
    static void append(GradeReport r, StringBuilder sb) {
        sb.append("| lab | task | handout | points |\n|---|---|---|---|\n");
        for (LabResult lab : r.isolated()) {
            Map<String, List<TestResult>> byTask = new TreeMap<>(ORDER);
            for (TestResult t : lab.tests()) {
                byTask.computeIfAbsent(t.test().task(), k -> new ArrayList<>()).add(t);
            }
            for (Map.Entry<String, List<TestResult>> e : byTask.entrySet()) {
                List<TestResult> tests = e.getValue();
                long hung = tests.stream()
                        .filter(t -> t.outcome().status() == TestSupervisor.Status.HUNG)
                        .count();
                String name = tests.stream()
                                .map(t -> t.test().taskName())
                                .filter(n -> !n.isEmpty())
                                .findFirst()
                                .orElse(e.getKey().isEmpty() ? "tests of no task" : "")
                        + (hung == 0 ? "" : " (hangs: " + hung + (hung == 1 ? " test)" : " tests)"));
                row(
                        sb,
                        lab.lab(),
                        e.getKey().isEmpty() ? "-" : e.getKey(),
                        name,
                        tests.stream().mapToDouble(TestResult::earned).sum(),
                        tests.stream().mapToDouble(TestResult::max).sum());
            }
            if (!lab.perf().isEmpty()) {
                row(sb, lab.lab(), "perf", "performance benchmarks", lab.perfEarned(), lab.perfMax());
            }
        }
        sb.append('\n');
    }

    private static void row(StringBuilder sb, String lab, String task, String name, double earned, double max) {
        sb.append("| ")
                .append(lab)
                .append(" | ")
                .append(ReportWriter.inline(task))
                .append(" | ")
                .append(ReportWriter.inline(name))
                .append(" | ")
                .append(ReportWriter.fmt(earned))
                .append(" / ")
                .append(ReportWriter.fmt(max))
                .append(" |\n");
    }

    /** The tests of {@code lab} that hung ({@code HangWatch}), by task, in task order. */
    static Map<String, List<TestResult>> hangs(LabResult lab) {
        Map<String, List<TestResult>> byTask = new TreeMap<>(ORDER);
        for (TestResult t : lab.tests()) {
            if (t.outcome().status() == TestSupervisor.Status.HUNG) {
                byTask.computeIfAbsent(t.test().task(), k -> new ArrayList<>()).add(t);
            }
        }
        return new LinkedHashMap<>(byTask);
    }

    /**
     * A task's hang in one line, said once at the task: {@code lab-04 T7 hangs (2 tests): ...}, then
     * what the first of its hung tests waited on (its message's first wait, or a deadlock's cycle).
     */
    static String hangLine(String lab, String task, List<TestResult> hung) {
        return lab + " " + (task.isEmpty() ? "a test of no task" : task) + " hangs (" + hung.size()
                + (hung.size() == 1 ? " test" : " tests") + "): "
                + hangSummary(hung.get(0).outcome().message());
    }

    /** A hang's message in one line: a deadlock's cycle, or the first place threads wait with no progress. */
    static String hangSummary(String message) {
        List<String> lines =
                message.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (lines.size() < 2) {
            return message.replaceFirst("^hangs: ", "").strip();
        }
        if (lines.get(0).startsWith("hangs: a deadlock")) {
            List<String> cycle = lines.subList(1, lines.size()).stream()
                    .filter(l -> l.matches("[A-Z] waits .*"))
                    .limit(3)
                    .toList();
            return "a deadlock: " + String.join("; ", cycle);
        }
        return "no thread runs; " + lines.get(1);
    }

    /**
     * The failed tests of {@code lab} that reached a task not implemented yet, by that task (its lab
     * and number), in lab and task order.
     */
    static Map<String, List<TestResult>> notImplemented(LabResult lab) {
        Map<String, List<TestResult>> byTask = new TreeMap<>(
                Comparator.comparing((String k) -> k.substring(0, 6)).thenComparing(k -> k.substring(7), ORDER));
        for (TestResult t : lab.tests()) {
            if (!t.outcome().passed()) {
                NotImplemented.in(t.outcome().message())
                        .ifPresent(n -> byTask.computeIfAbsent(n.key(), k -> new ArrayList<>())
                                .add(t));
            }
        }
        return new LinkedHashMap<>(byTask);
    }
}
