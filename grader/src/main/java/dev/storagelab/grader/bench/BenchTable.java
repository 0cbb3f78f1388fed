package dev.storagelab.grader.bench;

import dev.storagelab.grader.bench.BenchReport.Comparison;
import dev.storagelab.grader.bench.BenchReport.LabBench;
import dev.storagelab.grader.bench.BenchReport.WorkloadRun;
import java.util.Locale;

/** A {@link BenchReport} as the text table {@code bench} prints and writes to {@code bench.txt}. */
public final class BenchTable {

    private BenchTable() {}

    static String render(BenchReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "storagelab bench, %s%s, on %s%n",
                r.date(),
                r.quick() ? " (QUICK: a smoke run, the numbers mean nothing)" : "",
                r.machine()));
        boolean compared = r.submission() != null;
        if (compared) {
            sb.append("ratio = the submission's time per operation / the reference's (above 1: slower), same run\n");
        }
        for (LabBench lab : r.labs()) {
            sb.append('\n').append(lab.lab()).append('\n');
            if (lab.problem() != null) {
                sb.append("  PROBLEM: ")
                        .append(lab.problem().replace("\n", "\n    "))
                        .append('\n');
            }
            if (lab.benchmarks().isEmpty() && lab.failures().isEmpty()) {
                continue;
            }
            int nameWidth = Math.max(
                    lab.benchmarks().stream()
                            .mapToInt(c -> c.benchmark().length())
                            .max()
                            .orElse(0),
                    lab.failures().stream()
                            .mapToInt(f -> f.benchmark().length())
                            .max()
                            .orElse(0));
            int paramsWidth = Math.max(
                    6,
                    Math.max(
                            lab.benchmarks().stream()
                                    .mapToInt(c -> c.params().length())
                                    .max()
                                    .orElse(0),
                            lab.failures().stream()
                                    .mapToInt(f -> f.params().length())
                                    .max()
                                    .orElse(0)));
            String row = "  %-" + nameWidth + "s  %-" + paramsWidth + "s %12s %12s %7s  %s%n";
            sb.append(String.format(
                    Locale.ROOT,
                    row,
                    "benchmark",
                    "params",
                    r.release() ? "your code" : "reference",
                    compared ? "submission" : "",
                    compared ? "ratio" : "",
                    "unit"));
            for (Comparison c : lab.benchmarks()) {
                sb.append(String.format(
                        Locale.ROOT,
                        row,
                        c.benchmark(),
                        c.params(),
                        number(c.reference()),
                        c.submission() == null ? (compared ? "-" : "") : number(c.submission()),
                        c.ratio() == null ? (compared ? "-" : "") : String.format(Locale.ROOT, "%.2f", c.ratio()),
                        c.unit()));
            }
            for (BenchReport.Failed f : lab.failures()) {
                String reason = f.reason() == null ? "see logs/" : f.reason();
                String line = String.format(
                        Locale.ROOT,
                        "  %-" + nameWidth + "s  %-" + paramsWidth + "s FAILED on %s: %s",
                        f.benchmark(),
                        f.params(),
                        sideName(f.side(), r.release()),
                        reason);
                sb.append(line.length() <= 200 ? line : line.substring(0, 197) + "...")
                        .append('\n');
            }
        }
        if (r.workloads() != null) {
            BenchReport.WorkloadBench w = r.workloads();
            sb.append(String.format(
                    Locale.ROOT,
                    "%nworkloads: %,d keys, %,d ops (fills: one put per key), 16-byte keys, 100-byte"
                            + " values; ratio = %s's throughput / this run's (above 1: slower than %s)%n",
                    w.keys(),
                    w.ops(),
                    w.baseline(),
                    w.baseline()));
            sb.append(String.format(
                    Locale.ROOT,
                    "  %-18s %-12s %-11s %14s %10s %10s %8s%n",
                    "workload",
                    "engine",
                    "code",
                    "ops/s",
                    "p50 us",
                    "p99 us",
                    "ratio"));
            for (WorkloadRun run : w.runs()) {
                sb.append(String.format(
                        Locale.ROOT,
                        "  %-18s %-12s %-11s %,14.0f %10.1f %10.1f %8s%n",
                        run.workload(),
                        run.engine(),
                        run.side(),
                        run.opsPerSecond(),
                        run.p50Micros(),
                        run.p99Micros(),
                        run.ratio() == null ? "-" : String.format(Locale.ROOT, "%.2f", run.ratio())));
            }
            for (String problem : w.problems()) {
                sb.append("  PROBLEM: ").append(problem).append('\n');
            }
        }
        return sb.toString();
    }

    /** Four significant digits, whatever the magnitude. */
    /** A side as the table names it: a release's own code is the student's, not the reference. */
    static String sideName(String side, boolean release) {
        return switch (side) {
            case "reference" -> release ? "your code" : "the reference";
            case "submission" -> "the submission";
            default -> side;
        };
    }

    public static String number(double d) {
        if (Double.isNaN(d)) {
            return "n/a";
        }
        double abs = Math.abs(d);
        if (abs >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", d);
        }
        return String.format(Locale.ROOT, abs >= 100 ? "%.1f" : abs >= 10 ? "%.2f" : "%.3f", d);
    }
}
