package dev.storagelab.workbench.tables;

import static dev.storagelab.workbench.data.Md.fp;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.storagelab.workbench.data.Jmh;
import dev.storagelab.workbench.data.Md;
import dev.storagelab.workbench.data.Workspaces;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * The tables the measurement logs under {@code notes/data} print from their recorded runs, each
 * named for its log: {@code figures guards-table}, {@code guards-control-table} and {@code
 * guards-cpu-table} ({@code lab04-guards/}), {@code lockfree-table} ({@code lab04-lockfree/}) and
 * {@code redesign-table} ({@code redesign-ab/}).
 */
public final class LogTables {

    private LogTables() {}

    /** The files of {@code dir} whose names match {@code name}, in order of name; refused when {@code dir} is not there. */
    static List<Path> files(Path dir, Pattern name) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " does not exist; name the folder of the runs");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> name.matcher(p.getFileName().toString()).matches())
                    .sorted()
                    .toList();
        }
    }

    /**
     * Each round of {@code rounds} that has both a before and an after, as {@code line} (the round,
     * before, after and {@code ratio} of them), then {@code median} and the ratios' median and spread.
     */
    static <T extends Number> void rounds(
            PrintStream out,
            Map<Integer, Map<String, T>> rounds,
            java.util.function.ToDoubleBiFunction<T, T> ratio,
            String line,
            String median) {
        List<Double> ratios = new ArrayList<>();
        for (var round : rounds.entrySet()) {
            T b = round.getValue().get("before");
            T a = round.getValue().get("after");
            if (b != null && a != null) {
                ratios.add(ratio.applyAsDouble(b, a));
                out.println(fp(line, round.getKey(), b, a, ratios.get(ratios.size() - 1)));
            }
        }
        if (!ratios.isEmpty()) {
            out.println(median + spread(ratios, "%.2f"));
        }
    }

    /** "MEDIAN, spread LOWEST-HIGHEST", as the logs print the ratios of their rounds: {@code pattern} for each. */
    static String spread(List<Double> xs, String pattern) {
        return fp(pattern, Jmh.median(xs)) + ", spread " + fp(pattern, Collections.min(xs)) + "-"
                + fp(pattern, Collections.max(xs));
    }

    /** {@code x} rounded to {@code decimals} as Python's {@code round} does: half to even, on the double's exact value. */
    static BigDecimal even(double x, int decimals) {
        return new BigDecimal(x).setScale(decimals, RoundingMode.HALF_EVEN);
    }

    /** A number rounded to two decimals, half to even, written as Python writes a float: 1.0, 0.98. */
    static String round2(double x) {
        String s = even(x, 2).stripTrailingZeros().toPlainString();
        return s.contains(".") ? s : s + ".0";
    }

    static String list(List<Double> xs) {
        return xs.stream().map(LogTables::round2).collect(Collectors.joining(", ", "[", "]"));
    }

    /** The primary score of the first result of a JMH file. */
    static double score(Path p) throws IOException {
        return Jmh.primary(Jmh.results(Jmh.json(p)).get(0)).get("score").getAsDouble();
    }

    @Command(
            name = "guards-table",
            mixinStandardHelpOptions = true,
            description =
                    "notes/data/lab04-guards: measure.sh's JMH runs in DIR (NAME-VERSION-ROUND.json), each"
                            + " benchmark's score per round before and after, after's speed over before's, the median and spread.")
    public static final class GuardsTable extends FigureTables.Table {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Override
        public Integer call() throws IOException {
            // benchmark and unit -> round -> version -> score
            Map<String, Map<Integer, Map<String, Double>>> rows = new TreeMap<>();
            for (Path p : files(dir, Pattern.compile("[^-]+-[^-]+-\\d+\\.json"))) {
                String[] parts =
                        p.getFileName().toString().replaceFirst("\\.json$", "").split("-");
                List<JsonObject> results;
                try {
                    results = Jmh.results(Jmh.json(p));
                } catch (JsonParseException | IllegalStateException notJson) {
                    continue; // a run that did not finish
                }
                for (JsonObject r : results) {
                    String[] b = r.get("benchmark").getAsString().split("\\.");
                    JsonObject m = Jmh.primary(r);
                    String key = b[b.length - 2] + "." + b[b.length - 1] + "\0"
                            + m.get("scoreUnit").getAsString();
                    rows.computeIfAbsent(key, k -> new TreeMap<>())
                            .computeIfAbsent(Integer.parseInt(parts[2]), k -> new LinkedHashMap<>())
                            .put(parts[1], m.get("score").getAsDouble());
                }
            }
            for (var row : rows.entrySet()) {
                String[] bu = row.getKey().split("\0");
                boolean higher = bu[1].startsWith("ops/");
                out.println(bu[0] + " (" + bu[1] + ", " + (higher ? "higher" : "lower") + " is better)");
                rounds(
                        out,
                        row.getValue(),
                        (b, a) -> higher ? a / b : b / a, // > 1: after is faster
                        "  round %d: before %,.2f  after %,.2f  after speed / before speed %.2f",
                        "  median ");
            }
            return 0;
        }
    }

    @Command(
            name = "guards-control-table",
            mixinStandardHelpOptions = true,
            description = "notes/data/lab04-guards: control.sh's runs in DIR (conc-VERSION-ROUND.json) as a Markdown"
                    + " table: each round's ops/s of before and every other version over before, then the medians.")
    public static final class GuardsControlTable extends FigureTables.Table {
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;

        @Override
        public Integer call() throws IOException {
            Map<Integer, Map<String, Double>> scores = new TreeMap<>();
            for (Path p : files(dir, Pattern.compile("conc-[^-]+-\\d+\\.json"))) {
                String[] parts =
                        p.getFileName().toString().replaceFirst("\\.json$", "").split("-");
                scores.computeIfAbsent(Integer.parseInt(parts[2]), k -> new TreeMap<>())
                        .put(parts[1], score(p));
            }
            TreeSet<String> versions = new TreeSet<>();
            scores.values().forEach(r -> versions.addAll(r.keySet()));
            versions.remove("before");
            out.println("| round | before ops/s | "
                    + versions.stream().map(v -> v + " / before").collect(Collectors.joining(" | ")) + " |");
            out.println(
                    "| ---: | ---: | " + versions.stream().map(v -> "---:").collect(Collectors.joining(" | ")) + " |");
            Map<String, List<Double>> ratios = new LinkedHashMap<>();
            for (var round : scores.entrySet()) {
                Map<String, Double> r = round.getValue();
                List<String> cells = new ArrayList<>();
                for (String v : versions) {
                    if (!r.containsKey(v) || !r.containsKey("before")) {
                        throw new IllegalArgumentException(
                                "round " + round.getKey() + " has no run of " + (r.containsKey(v) ? "before" : v));
                    }
                    double ratio = r.get(v) / r.get("before");
                    ratios.computeIfAbsent(v, k -> new ArrayList<>()).add(ratio);
                    cells.add(fp("%.3f", ratio));
                }
                out.println(fp("| %d | %,.0f | ", round.getKey(), r.get("before")) + String.join(" | ", cells) + " |");
            }
            out.println("| median (spread) | | "
                    + versions.stream()
                            .map(v -> {
                                List<Double> xs = ratios.get(v);
                                return fp(
                                        "**%.3f** (%.3f-%.3f)",
                                        Jmh.median(xs), Collections.min(xs), Collections.max(xs));
                            })
                            .collect(Collectors.joining(" | "))
                    + " |");
            return 0;
        }
    }

    @Command(
            name = "guards-cpu-table",
            mixinStandardHelpOptions = true,
            description = "notes/data/lab04-guards: cpu-per-op.sh's LOG as after/before ratios of the CPU time per"
                    + " operation, per round, with the median and spread, for each kind of operation.")
    public static final class GuardsCpuTable extends FigureTables.Table {
        @Parameters(index = "0", paramLabel = "LOG")
        Path log;

        private static final Pattern LINE = Pattern.compile("\\] (before|after) (\\d+) (\\w+) cpu_ns_per_op (\\d+)");

        @Override
        public Integer call() throws IOException {
            // kind -> round -> version -> ns
            Map<String, Map<Integer, Map<String, Long>>> runs = new LinkedHashMap<>();
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                Matcher m = LINE.matcher(line);
                if (m.find()) {
                    runs.computeIfAbsent(m.group(3), k -> new TreeMap<>())
                            .computeIfAbsent(Integer.parseInt(m.group(2)), k -> new LinkedHashMap<>())
                            .put(m.group(1), Long.parseLong(m.group(4)));
                }
            }
            for (var kind : runs.entrySet()) {
                out.println(kind.getKey() + ": CPU ns per operation of the measuring thread (lower is better)");
                rounds(
                        out,
                        kind.getValue(),
                        (b, a) -> a.doubleValue() / b,
                        "  round %d: before %d  after %d  after/before %.2f",
                        "  median after/before ");
            }
            return 0;
        }
    }

    @Command(
            name = "lockfree-table",
            mixinStandardHelpOptions = true,
            description = "notes/data/lab04-lockfree: measure.sh's workbench runs in DIR (default that log's m/,"
                    + " TAG-ENGINE-WORKLOAD-N.json) as chapter 4's table of the pool's lock-free hit, then the same-round"
                    + " ratios.")
    public static final class LockfreeTable extends FigureTables.Table {
        @Parameters(index = "0", arity = "0..1", paramLabel = "DIR")
        Path dir;

        /** One run: gets/s (rounded), get p50 and p99 µs, the writer's puts. */
        record Run(long ops, double p50, double p99, long writes) {
            double get(int i) {
                return switch (i) {
                    case 0 -> ops;
                    case 1 -> p50;
                    default -> p99;
                };
            }
        }

        private static final Pattern NAME = Pattern.compile("(\\w+)-(.+)-(readrandom|readwhilewriting)-(\\d)\\.json");
        private static final List<String[]> ORDER = List.of(
                new String[] {"before", "btree", "readwhilewriting"},
                new String[] {"after", "btree", "readwhilewriting"},
                new String[] {"before", "btree", "readrandom"},
                new String[] {"after", "btree", "readrandom"},
                new String[] {"after", "btree-16m", "readrandom"},
                new String[] {"peer", "h2", "readrandom"},
                new String[] {"peer", "h2-pool", "readrandom"});
        private static final Map<String, String> LABEL =
                Map.of("before", "locked hit", "after", "lock-free hit", "peer", "");

        private final Map<String, Map<Integer, Run>> runs = new LinkedHashMap<>();

        private static String key(String... k) {
            return String.join("/", k);
        }

        private List<Double> ratio(String[] a, String[] b, int i) {
            List<Double> out = new ArrayList<>();
            Map<Integer, Run> ra = runs.getOrDefault(key(a), Map.of());
            Map<Integer, Run> rb = runs.getOrDefault(key(b), Map.of());
            for (int round : new TreeSet<>(ra.keySet())) {
                if (rb.containsKey(round)) {
                    out.add(ra.get(round).get(i) / rb.get(round).get(i));
                }
            }
            return out;
        }

        @Override
        public Integer call() throws IOException {
            Path d = dir != null ? dir : Workspaces.root(null).resolve("notes/data/lab04-lockfree/m");
            for (Path p : files(d, Pattern.compile(".*\\.json"))) {
                JsonObject r;
                try {
                    r = Jmh.json(p).getAsJsonObject();
                } catch (JsonParseException | IllegalStateException notJson) {
                    continue;
                }
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (!m.lookingAt()) {
                    throw new IllegalArgumentException(
                            p + " is not named TAG-ENGINE-readrandom|readwhilewriting-N.json");
                }
                JsonObject g = r.getAsJsonObject("latency").getAsJsonObject("get");
                runs.computeIfAbsent(key(m.group(1), m.group(2), m.group(3)), k -> new TreeMap<>())
                        .put(
                                Integer.parseInt(m.group(4)),
                                new Run(
                                        (long) Math.rint(r.get("opsPerSecond").getAsDouble()),
                                        g.get("p50").getAsDouble(),
                                        g.get("p99").getAsDouble(),
                                        r.getAsJsonObject("operations")
                                                .get("writes")
                                                .getAsLong()));
            }
            out.println("| 1M keys, 200,000 gets | runs (gets/s, round by round) | get p50 µs (each run) |"
                    + " get p99 µs (each run) | the writer's puts |");
            out.println("| --- | ---: | ---: | ---: | ---: |");
            for (String[] k : ORDER) {
                Map<Integer, Run> r = runs.getOrDefault(key(k), Map.of());
                if (r.isEmpty()) {
                    continue;
                }
                List<Run> xs = List.copyOf(r.values());
                String label = LABEL.get(k[0]);
                String name = "`" + k[1] + "` " + (label.isEmpty() ? "" : "(" + label + ") ") + k[2];
                out.println(Md.row(
                        name,
                        xs.stream().map(x -> fp("%,d", x.ops())).collect(Collectors.joining(", ")),
                        xs.stream().map(x -> fp("%.2f", x.p50())).collect(Collectors.joining(", ")),
                        xs.stream().map(x -> fp("%.1f", x.p99())).collect(Collectors.joining(", ")),
                        k[2].equals("readwhilewriting")
                                ? xs.stream().map(x -> fp("%,d", x.writes())).collect(Collectors.joining(", "))
                                : "–"));
            }
            for (String wl : List.of("readwhilewriting", "readrandom")) {
                String[] after = {"after", "btree", wl};
                String[] before = {"before", "btree", wl};
                out.println(wl + " after/before gets/s " + list(ratio(after, before, 0)) + " p50 after/before "
                        + list(ratio(after, before, 1)));
            }
            String[] after = {"after", "btree", "readrandom"};
            String[] big = {"after", "btree-16m", "readrandom"};
            String[] h2 = {"peer", "h2", "readrandom"};
            String[] h2pool = {"peer", "h2-pool", "readrandom"};
            out.println("btree/h2 " + list(ratio(after, h2, 0)));
            out.println("btree/h2-pool " + list(ratio(after, h2pool, 0)));
            out.println("btree-16m/h2 " + list(ratio(big, h2, 0)));
            out.println("p50 btree/h2 " + list(ratio(after, h2, 1)));
            out.println("p50 btree-16m/h2 " + list(ratio(big, h2, 1)));
            out.println("p50 btree/h2-pool " + list(ratio(after, h2pool, 1)));
            return 0;
        }
    }

    @Command(
            name = "redesign-table",
            mixinStandardHelpOptions = true,
            description = "notes/data/redesign-ab: the engines before and after the redesign, from ab_lab05.sh's runs"
                    + " in DIR (default that log; ENGINE, ENGINE-r2 and ENGINE-r3, one run per version each): the median"
                    + " ops/s of each version, per round after/before of ops/s and of the JVM's CPU seconds.")
    public static final class RedesignTable extends FigureTables.Table {
        @Parameters(index = "0", arity = "0..1", paramLabel = "DIR")
        Path dir;

        @Override
        public Integer call() throws IOException {
            Path root = dir != null ? dir : Workspaces.root(null).resolve("notes/data/redesign-ab");
            if (!Files.isDirectory(root)) {
                throw new IllegalArgumentException(root + " does not exist; name the folder of the runs");
            }
            out.println(
                    "| engine | workload | before ops/s (median) | after ops/s (median) | ops/s after/before, rounds"
                            + " 1-3 | median | CPU s after/before, rounds 1-3 | median |");
            out.println("| --- | --- | ---: | ---: | --- | ---: | --- | ---: |");
            for (String engine : List.of("btree", "lsm", "hybrid")) {
                for (String workload : List.of("fillrandom", "readrandom")) {
                    Map<String, List<double[]>> runs = new LinkedHashMap<>(); // version -> (ops/s, CPU s)
                    runs.put("after", new ArrayList<>());
                    runs.put("before", new ArrayList<>());
                    for (String d : List.of(engine, engine + "-r2", engine + "-r3")) {
                        for (var version : runs.entrySet()) {
                            Path base = root.resolve(d).resolve(version.getKey() + "-" + workload + "-1");
                            Path json = base.resolveSibling(base.getFileName() + ".json");
                            if (!Files.isRegularFile(json)) {
                                continue;
                            }
                            String[] t = Files.readString(base.resolveSibling(base.getFileName() + ".time"))
                                    .trim()
                                    .split("\\s+");
                            version.getValue().add(new double[] {
                                Jmh.json(json)
                                        .getAsJsonObject()
                                        .get("opsPerSecond")
                                        .getAsDouble(),
                                Double.parseDouble(t[t.length - 3]) + Double.parseDouble(t[t.length - 2])
                            });
                        }
                    }
                    List<double[]> a = runs.get("after");
                    List<double[]> b = runs.get("before");
                    int n = Math.min(a.size(), b.size());
                    if (n == 0) {
                        continue;
                    }
                    List<Double> speed = new ArrayList<>();
                    List<Double> cpu = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        speed.add(a.get(i)[0] / b.get(i)[0]);
                        cpu.add(a.get(i)[1] / b.get(i)[1]);
                    }
                    out.println(Md.row(
                            engine,
                            workload,
                            fp("%,.0f", Jmh.median(b.stream().map(x -> x[0]).toList())),
                            fp("%,.0f", Jmh.median(a.stream().map(x -> x[0]).toList())),
                            speed.stream().map(x -> fp("%.2f", x)).collect(Collectors.joining(" / ")),
                            fp("**%.2f**", Jmh.median(speed)),
                            cpu.stream().map(x -> fp("%.2f", x)).collect(Collectors.joining(" / ")),
                            fp("**%.2f**", Jmh.median(cpu))));
                }
            }
            return 0;
        }
    }
}
