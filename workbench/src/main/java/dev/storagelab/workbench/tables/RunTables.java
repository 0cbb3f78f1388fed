package dev.storagelab.workbench.tables;

import static dev.storagelab.workbench.data.Md.fp;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.storagelab.workbench.data.Jmh;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What the A/B scripts of {@code notes/figures} print about their runs: a workbench run in one line
 * ({@code figures run-line}, for {@code ab_lab05.sh}, {@code events_overhead.sh} and {@code
 * measure_lab07.sh}), a JMH fork's score ({@code jmh-score}), and the two settings compared
 * ({@code events-ab}, {@code events-jmh-ab}).
 */
public final class RunTables {

    private RunTables() {}

    /** Statistics as Python's {@code statistics} module has them: the sample variance and deviation. */
    static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).sum() / xs.size();
    }

    static double variance(List<Double> xs) {
        double m = mean(xs);
        return xs.stream().mapToDouble(x -> (x - m) * (x - m)).sum() / (xs.size() - 1);
    }

    /** A JSON value as the run wrote it, "–" when the run has none. */
    static String raw(JsonObject o, String key) {
        JsonElement e = o == null ? null : o.get(key);
        return e == null || e.isJsonNull() ? "–" : e.getAsJsonPrimitive().getAsString();
    }

    @Command(
            name = "run-line",
            mixinStandardHelpOptions = true,
            description =
                    "One workbench run (RUN.json, from 'workload --json') in one line: its workload and ops/s;"
                            + " with --time, the JVM's CPU seconds and wall time from /usr/bin/time -f '%%U %%S %%e'; with"
                            + " --counters, its write stalls, write amplification, block reads per get and compaction block reads.")
    public static final class RunLine extends FigureTables.Table {
        @Parameters(index = "0", paramLabel = "RUN.json")
        Path file;

        @Option(names = "--time", paramLabel = "FILE", description = "/usr/bin/time's output for the run.")
        Path time;

        @Option(names = "--counters", description = "The run's LSM counters too.")
        boolean counters;

        @Option(
                names = "--latency",
                paramLabel = "OP",
                description = "The p50 and p99 in µs of one kind of operation too (get, put, scan), and the writes.")
        String latency;

        @Override
        public Integer call() throws IOException {
            JsonObject r = Jmh.json(file).getAsJsonObject();
            StringBuilder line = new StringBuilder(fp(
                    "%-16s %9.0f ops/s",
                    r.get("workload").getAsString(), r.get("opsPerSecond").getAsDouble()));
            if (time != null) {
                String[] t =
                        Files.readString(time, StandardCharsets.UTF_8).trim().split("\\s+");
                if (t.length < 3) {
                    throw new IllegalArgumentException(
                            time + " does not end with '%U %S %e' (user, system, wall seconds)");
                }
                double u = Double.parseDouble(t[t.length - 3]);
                double s = Double.parseDouble(t[t.length - 2]);
                double e = Double.parseDouble(t[t.length - 1]);
                line.append(fp("  cpu %6.1fs (u %.1f s %.1f) wall %5.1fs", u + s, u, s, e));
            }
            if (counters) {
                JsonObject c = r.getAsJsonObject("counters");
                Double wa = FigureTables.number(c, "write_amplification");
                line.append(" stalls ")
                        .append(raw(c, "write_stalls"))
                        .append(" wa ")
                        .append(wa == null ? "–" : fp("%.2f", wa))
                        .append(" br/get ")
                        .append(raw(c, "block_reads_per_get"))
                        .append(" cbr ")
                        .append(raw(c, "compaction_block_reads"));
            }
            if (latency != null) {
                JsonObject l = r.getAsJsonObject("latency");
                JsonObject op = l == null ? null : l.getAsJsonObject(latency);
                if (op == null) {
                    throw new IllegalArgumentException(file + " has no latency of " + latency + " operations");
                }
                line.append("  ")
                        .append(latency)
                        .append(" p50 ")
                        .append(raw(op, "p50"))
                        .append(" p99 ")
                        .append(raw(op, "p99"))
                        .append(" writes ")
                        .append(raw(r.getAsJsonObject("operations"), "writes"));
            }
            out.println(line);
            return 0;
        }
    }

    @Command(
            name = "jmh-score",
            mixinStandardHelpOptions = true,
            description = "The score and unit of the first benchmark in a JMH result (-rf json): one fork's line;"
                    + " with --all, every benchmark's, each on a line after its method's name.")
    public static final class JmhScore extends FigureTables.Table {
        @Parameters(index = "0", paramLabel = "RESULT.json")
        Path file;

        @Option(names = "--all", description = "Every benchmark of the result, not the first only.")
        boolean all;

        @Override
        public Integer call() throws IOException {
            List<JsonObject> results = Jmh.results(Jmh.json(file));
            for (JsonObject r : all ? results : results.subList(0, 1)) {
                JsonObject m = Jmh.primary(r);
                out.println((all ? Jmh.method(r) + " " : "")
                        + fp(
                                "%12.4f %s",
                                m.get("score").getAsDouble(), m.get("scoreUnit").getAsString()));
            }
            return 0;
        }
    }

    @Command(
            name = "events-ab",
            mixinStandardHelpOptions = true,
            description = "notes/figures/events_overhead.sh's table: per engine and workload the median ops/s of"
                    + " A (events on, no listener) and B (-Dstoragelab.events=off) over the runs in DIR"
                    + " (ENGINE-WORKLOAD-A|B-ROUND.json), and A/B.")
    public static final class EventsAb extends FigureTables.Table {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Parameters(index = "1", paramLabel = "ROUNDS")
        int rounds;

        @Parameters(index = "2", paramLabel = "ENGINES", description = "Separated by spaces, as one argument.")
        String engines;

        @Parameters(index = "3", paramLabel = "WORKLOADS", description = "Separated by spaces, as one argument.")
        String workloads;

        private double median(String e, String w, String label) throws IOException {
            List<Double> ops = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                ops.add(Jmh.json(dir.resolve(e + "-" + w + "-" + label + "-" + r + ".json"))
                        .getAsJsonObject()
                        .get("opsPerSecond")
                        .getAsDouble());
            }
            return Jmh.median(ops);
        }

        @Override
        public Integer call() throws IOException {
            out.println();
            out.println(fp(
                    "%-8s %-12s %20s %15s %7s   (medians of %d, ops/s)",
                    "engine", "workload", "A: on, no listener", "B: events off", "A/B", rounds));
            for (String e : engines.trim().split("\\s+")) {
                for (String w : workloads.trim().split("\\s+")) {
                    double a = median(e, w, "A");
                    double b = median(e, w, "B");
                    out.println(fp("%-8s %-12s %20.0f %15.0f %7.3f", e, w, a, b, a / b));
                }
            }
            return 0;
        }
    }

    @Command(
            name = "events-jmh-ab",
            mixinStandardHelpOptions = true,
            description = "notes/figures/events_overhead_jmh.sh's analysis: per benchmark (SPEC: MODULE|REGEX|PARAMS,"
                    + " its forks in DIR/bN-A|B-ROUND.json, N its place from 1) the means of A and B, A/B as time per"
                    + " operation with a 95%% confidence interval unpaired (Welch's t, the delta method) and paired (the"
                    + " geometric mean of each round's A/B), and the largest upper bound of the paired A/B.")
    public static final class EventsJmhAb extends FigureTables.Table {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Parameters(index = "1", paramLabel = "ROUNDS")
        int rounds;

        @Parameters(index = "2..*", paramLabel = "SPEC")
        List<String> specs = new ArrayList<>();

        /** Student's t, two-sided 97.5% quantiles by degrees of freedom (Welch's, rounded down). */
        private static final TreeMap<Integer, Double> T = new TreeMap<>(Map.ofEntries(
                Map.entry(1, 12.706),
                Map.entry(2, 4.303),
                Map.entry(3, 3.182),
                Map.entry(4, 2.776),
                Map.entry(5, 2.571),
                Map.entry(6, 2.447),
                Map.entry(7, 2.365),
                Map.entry(8, 2.306),
                Map.entry(9, 2.262),
                Map.entry(10, 2.228),
                Map.entry(12, 2.179),
                Map.entry(15, 2.131),
                Map.entry(20, 2.086),
                Map.entry(30, 2.042)));

        static double t975(double df) {
            return T.floorEntry((int) Math.max(1, Math.floor(df))).getValue();
        }

        private JsonObject primary(int n, String label, int round) throws IOException {
            return Jmh.primary(Jmh.results(Jmh.json(dir.resolve("b" + n + "-" + label + "-" + round + ".json")))
                    .get(0));
        }

        private List<Double> scores(int n, String label) throws IOException {
            List<Double> xs = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                xs.add(primary(n, label, r).get("score").getAsDouble());
            }
            return xs;
        }

        @Override
        public Integer call() throws IOException {
            if (rounds < 2) {
                throw new IllegalArgumentException("a confidence interval needs ROUNDS of 2 or more, not " + rounds);
            }
            out.println();
            out.println(
                    "A/B as time per operation (1.000 = no cost; 1.020 = A is 2% slower), 95% confidence intervals:");
            out.println("  unpaired: the means of A's and B's forks (Welch's t, the delta method)");
            out.println("  paired:   the geometric mean of each round's A/B (A and B of a round run back to back, in");
            out.println("            alternating order, so the machine's drift over the run cancels within a round)");
            out.println(fp(
                    "%-58s %22s %14s %7s  unpaired CI       paired A/B and CI",
                    "benchmark", "A: on, none listening", "B: events off", "A/B"));
            double worst = 0;
            for (int n = 1; n <= specs.size(); n++) {
                String[] spec = specs.get(n - 1).split("\\|", -1);
                if (spec.length != 3) {
                    throw new IllegalArgumentException(
                            "a SPEC is MODULE|REGEX|PARAMS, not " + specs.get(n - 1) + "; see --help");
                }
                List<Double> a = scores(n, "A");
                List<Double> b = scores(n, "B");
                double ma = mean(a);
                double mb = mean(b);
                double va = variance(a) / a.size();
                double vb = variance(b) / b.size();
                // the ratio's standard error by the delta method; Welch-Satterthwaite degrees of freedom
                double se = (ma / mb) * Math.sqrt(va / (ma * ma) + vb / (mb * mb));
                double df = va + vb > 0
                        ? (va + vb) * (va + vb) / (va * va / (a.size() - 1) + vb * vb / (b.size() - 1))
                        : 30;
                double lo = ma / mb - t975(df) * se;
                double hi = ma / mb + t975(df) * se;
                // paired: the log of each round's ratio, a t interval over the rounds, back to a ratio
                List<Double> logs = new ArrayList<>();
                for (int i = 0; i < a.size(); i++) {
                    logs.add(Math.log(a.get(i) / b.get(i)));
                }
                double ml = mean(logs);
                double sl = Math.sqrt(variance(logs)) / Math.sqrt(logs.size());
                double t = t975(logs.size() - 1);
                double plo = Math.exp(ml - t * sl);
                double phi = Math.exp(ml + t * sl);
                worst = Math.max(worst, phi);
                String unit = primary(n, "A", 1).get("scoreUnit").getAsString();
                String name = (spec[1].replaceAll("\\$+$", "") + " " + spec[2]).trim();
                out.println(fp(
                        "%-58s %15.4f %-6s %14.4f %7.3f  [%.3f, %.3f]   %.3f [%.3f, %.3f]",
                        name, ma, unit, mb, ma / mb, lo, hi, Math.exp(ml), plo, phi));
            }
            out.println(
                    fp("%nthe largest upper bound of the paired A/B: %.3f (at most 1.020 holds the 2%% claim)", worst));
            return 0;
        }
    }
}
