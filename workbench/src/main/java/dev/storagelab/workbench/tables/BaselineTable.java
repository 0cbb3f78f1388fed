package dev.storagelab.workbench.tables;

import static dev.storagelab.workbench.data.Md.f;
import static dev.storagelab.workbench.tables.FigureTables.fmt;
import static dev.storagelab.workbench.tables.FigureTables.median;
import static dev.storagelab.workbench.tables.FigureTables.number;

import com.google.gson.JsonObject;
import dev.storagelab.workbench.data.Md;
import dev.storagelab.workbench.data.Workspaces;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./storagelab figures baseline-table}: the tables of notes/benchmarks.md, from the runs
 * {@code notes/figures/run_benchmarks.sh} writes (ENGINE-WORKLOAD-N.json, each cell's runs reduced to
 * their median): throughput, latency, the ratios to the B+tree and between the engines compared on
 * equal terms, the engines' counters, the machine and its load, and every cell that was not
 * measured or was measured at another size, with the reason. With {@code --page} it writes them
 * into the page between its two markers, so that the page shows the tables of its runs and no
 * other.
 */
@Command(
        name = "baseline-table",
        mixinStandardHelpOptions = true,
        description = "notes/benchmarks.md's tables in Markdown, the median of each cell's runs, from the runs of"
                + " notes/figures/run_benchmarks.sh in DIR (default notes/data/bench): their results, loads, failures"
                + " and skipped cells, and machine.txt; with --page PAGE.md, written into the page between its markers"
                + " as well.")
public final class BaselineTable extends FigureTables.Table {

    /** The baseline's engines in the order of its rows: the workspace's, lab by lab, then the production peers. */
    public static final List<String> ENGINES = List.of(
            "sortedlog",
            "avl",
            "skiplist",
            "bst",
            "btree",
            "btree-16m",
            "lsm",
            "kv",
            "hybrid",
            "rocksdb",
            "rocksdb-lsmopts",
            "leveldb",
            "h2",
            "h2-pool",
            "lmdb");

    /** The engine the ratios are taken to: lab-04's B+tree. */
    static final String BASE = "btree";

    /** Ours beside the peer set to the same shape and memory: the ratios the course is held to. */
    static final List<List<String>> PAIRS =
            List.of(List.of("lsm", "rocksdb-lsmopts"), List.of("btree-16m", "h2"), List.of("btree", "h2-pool"));

    /** The lines of a page between which {@code --page} writes the tables. */
    static final String BEGIN =
            "<!-- baseline-table: written by ./storagelab figures baseline-table; edit the runs, not these lines -->";

    static final String END = "<!-- baseline-table: end -->";

    /** A cell measured at another size than the table's. */
    static final String OTHER_SIZE = " †";

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "DIR",
            description = "The runs' folder (default: the workspace's notes/data/bench).")
    Path dir;

    @Option(
            names = "--engines",
            split = ",",
            description = "The rows (default: those of sortedlog,avl,skiplist,bst,btree,btree-16m,lsm,kv,hybrid,"
                    + "rocksdb,rocksdb-lsmopts,leveldb,h2,h2-pool,lmdb with a file in DIR).")
    List<String> engines = new ArrayList<>();

    @Option(
            names = "--page",
            paramLabel = "PAGE.md",
            description = "Write the tables into PAGE.md between its markers.")
    Path page;

    @Override
    public Integer call() throws IOException {
        Path d = dir != null ? dir : Workspaces.root(null).resolve("notes/data/bench");
        Baseline b = Baseline.read(d, engines);
        String md = b.markdown(shown(d));
        if (page != null) {
            Files.writeString(
                    page, intoPage(Files.readString(page, StandardCharsets.UTF_8), md), StandardCharsets.UTF_8);
        }
        out.print(md);
        return 0;
    }

    /** {@code page} with the text between {@link #BEGIN} and {@link #END} replaced by {@code tables}. */
    static String intoPage(String page, String tables) {
        int begin = page.indexOf(BEGIN);
        int end = page.indexOf(END);
        if (begin < 0 || end < begin || page.indexOf(BEGIN, begin + 1) >= 0) {
            throw new IllegalArgumentException(
                    "the page needs the line " + BEGIN + " once, then the line " + END + ", where the tables go");
        }
        return page.substring(0, begin + BEGIN.length()) + "\n\n" + tables + "\n" + page.substring(end);
    }

    /** The folder as the command that retakes the tables names it: from the workspace's root when it is inside it. */
    private static String shown(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        try {
            Path root = Workspaces.root(null);
            return abs.startsWith(root) ? root.relativize(abs).toString() : dir.toString();
        } catch (IllegalArgumentException e) {
            return dir.toString();
        }
    }

    /** The runs of a baseline's folder, cell by cell, and the tables made of them. */
    public static final class Baseline {
        private final Path dir;
        private final List<String> engines;
        private final List<String> workloads;
        private final Map<String, List<JsonObject>> runs;
        private final long keys;
        private final long ops;
        /** The runs most cells have. */
        private final int perCell;

        private Baseline(Path dir, List<String> engines, Map<String, List<JsonObject>> runs) {
            this.dir = dir;
            this.engines = engines;
            this.runs = runs;
            this.workloads = LsmTable.WORKLOADS.stream()
                    .filter(w -> engines.stream().anyMatch(e -> !of(e, w).isEmpty() || reason(e, w) != null))
                    .toList();
            this.keys = mostCommon(runs.values().stream().flatMap(List::stream), r -> spec(r, "keys"));
            this.ops =
                    mostCommon(runs.values().stream().flatMap(List::stream).filter(r -> !fill(r)), r -> spec(r, "ops"));
            this.perCell = (int) mostCommon(runs.values().stream(), rs -> (long) rs.size());
        }

        /** The runs in {@code dir} of {@code engines} (all of {@link #ENGINES} that have a file there if empty). */
        public static Baseline read(Path dir, List<String> engines) throws IOException {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException(dir + " does not exist; name the folder of the runs"
                        + " (notes/figures/run_benchmarks.sh writes notes/data/bench)");
            }
            List<String> es = engines;
            if (es.isEmpty()) {
                List<String> names;
                try (Stream<Path> s = Files.list(dir)) {
                    names = s.map(p -> p.getFileName().toString()).toList();
                }
                es = ENGINES.stream()
                        .filter(e -> names.stream()
                                .anyMatch(n -> LsmTable.WORKLOADS.stream()
                                        .anyMatch(w ->
                                                n.startsWith(e + "-" + w + "-") || n.startsWith(e + "-" + w + "."))))
                        .toList();
            }
            return new Baseline(dir, es, FigureTables.runs(dir, es, LsmTable.WORKLOADS, false));
        }

        public List<String> engines() {
            return engines;
        }

        public List<String> workloads() {
            return workloads;
        }

        List<JsonObject> of(String engine, String workload) {
            return runs.getOrDefault(engine + "/" + workload, List.of());
        }

        /** The median ops/s of the cell's runs, or null if it has none. */
        public Double ops(String engine, String workload) {
            return FigureTables.ops(of(engine, workload));
        }

        private Double value(String engine, String workload, Function<JsonObject, Double> v) {
            return median(of(engine, workload).stream().map(v));
        }

        private static long spec(JsonObject run, String name) {
            return run.getAsJsonObject("spec").get(name).getAsLong();
        }

        private static boolean fill(JsonObject run) {
            return run.get("workload").getAsString().startsWith("fill");
        }

        private static <T> long mostCommon(Stream<T> rs, Function<T, Long> v) {
            return rs.collect(Collectors.groupingBy(v, Collectors.counting())).entrySet().stream()
                    .max(Map.Entry.<Long, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                    .map(Map.Entry::getKey)
                    .orElse(0L);
        }

        /** Whether the cell's runs were taken at another key count or operation count than the table's. */
        private boolean otherSize(String engine, String workload) {
            return of(engine, workload).stream()
                    .anyMatch(r -> spec(r, "keys") != keys || !fill(r) && spec(r, "ops") != ops);
        }

        /** Why the cell has no run, or lacks some: its .skipped file, its runs' .failed files; null if neither. */
        private String reason(String engine, String workload) {
            try {
                Path skipped = dir.resolve(engine + "-" + workload + ".skipped");
                if (Files.isRegularFile(skipped)) {
                    return Files.readString(skipped, StandardCharsets.UTF_8).strip();
                }
                List<String> failed = new ArrayList<>();
                try (Stream<Path> s = Files.list(dir)) {
                    for (Path p : s.sorted().toList()) {
                        String n = p.getFileName().toString();
                        if (n.matches(java.util.regex.Pattern.quote(engine + "-" + workload) + "-\\d+\\.failed")) {
                            failed.add("run " + n.replaceAll(".*-(\\d+)\\.failed$", "$1") + " "
                                    + Files.readString(p, StandardCharsets.UTF_8)
                                            .strip());
                        }
                    }
                }
                return failed.isEmpty() ? null : String.join("; ", failed);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** The operation a workload's latency is about: the gets of readwhilewriting, else its only kind. */
        private static JsonObject mainOp(JsonObject run) {
            JsonObject lat = run.getAsJsonObject("latency");
            if (run.get("workload").getAsString().equals("readwhilewriting")) {
                return lat.getAsJsonObject("get");
            }
            return lat.entrySet().iterator().next().getValue().getAsJsonObject();
        }

        /** The tables in Markdown, each under a heading with the command that retakes it; {@code shown} is DIR as it names it. */
        public String markdown(String shown) throws IOException {
            StringBuilder t = new StringBuilder();
            String command = "`./storagelab figures baseline-table " + shown + "`";
            List<JsonObject> all = runs.values().stream().flatMap(List::stream).toList();
            t.append("Machine: ").append(FigureTables.machine(dir)).append(".\n\n");
            List<Double> loads = FigureTables.loads(all);
            t.append(
                    loads.isEmpty()
                            ? "Load average: not recorded.\n\n"
                            : f(
                                    "Load average (one minute) before and after each run: %.1f to %.1f, median %.1f.%n%n",
                                    loads.get(0), loads.get(loads.size() - 1), FigureTables.median(loads.stream())));
            JsonObject any = all.isEmpty() ? null : all.get(0);
            t.append(f(
                    "%,d keys of 16 bytes with %s-byte values; a fill puts every key, every other workload preloads"
                            + " them in a seeded random order (untimed) and runs %,d measured operations; %s, each in"
                            + " a JVM of its own, the engines in turn.%n",
                    keys,
                    any == null
                            ? "?"
                            : any.getAsJsonObject("spec").get("valueBytes").getAsString(),
                    ops,
                    perCell == 1
                            ? "1 run a cell"
                            : perCell + " runs a cell, each figure their median"
                                    + (perCell == 2 ? " (of two, their mean)" : "")));
            spread(t);

            t.append("\n### Throughput, operations per second\n\n");
            t.append("The median of each cell's runs (")
                    .append(command)
                    .append("); readwhilewriting counts the gets, beside one thread putting.\n\n");
            table(t, "engine, ops/s", e -> w -> {
                Double v = ops(e, w);
                return v == null ? null : f("%,.0f", v) + (otherSize(e, w) ? OTHER_SIZE : "");
            });

            t.append("\n### Latency, p50 / p99 µs\n\n");
            t.append("Of the puts (fills, overwrite), the gets (readrandom, readmissing, and readwhilewriting's"
                            + " beside the writer), the seek and scan of 100 (seekrandom); the median of the runs'"
                            + " p50 and of their p99 (")
                    .append(command)
                    .append(").\n\n");
            table(t, "engine, p50 / p99 µs", e -> w -> {
                Double p50 = value(e, w, r -> number(mainOp(r), "p50"));
                Double p99 = value(e, w, r -> number(mainOp(r), "p99"));
                return p50 == null || p99 == null
                        ? null
                        : f("%.1f / %,.0f", p50, p99) + (otherSize(e, w) ? OTHER_SIZE : "");
            });

            if (engines.contains(BASE)) {
                t.append("\n### Ratios to the B+tree\n\n");
                t.append("Each engine's median ops/s over `")
                        .append(BASE)
                        .append("`'s on the same workload: above 1 is faster (")
                        .append(command)
                        .append(").\n\n");
                table(t, "engine, over btree", e -> w -> {
                    Double v = ops(e, w);
                    Double base = ops(BASE, w);
                    return v == null || base == null || otherSize(e, w) != otherSize(BASE, w)
                            ? null
                            : f("%.2f", v / base);
                });
            }
            pairs(t, command);
            counters(t, command);
            notMeasured(t);
            return t.toString();
        }

        /** How far a cell's runs lie apart: (slowest - fastest) / median, at the median cell and the widest. */
        private void spread(StringBuilder t) {
            Map<String, Double> spreads = new LinkedHashMap<>();
            runs.forEach((cell, rs) -> {
                if (rs.size() > 1) {
                    List<Double> xs = rs.stream()
                            .map(r -> number(r, "opsPerSecond"))
                            .sorted()
                            .toList();
                    spreads.put(cell, (xs.get(xs.size() - 1) - xs.get(0)) / FigureTables.median(xs.stream()));
                }
            });
            if (spreads.isEmpty()) {
                return;
            }
            Map.Entry<String, Double> widest = spreads.entrySet().stream()
                    .max(Map.Entry.comparingByValue())
                    .get();
            t.append(f(
                    "%nA cell's runs lie %.0f%% apart at the median cell ((fastest - slowest) / median), %.0f%% at the"
                            + " widest (%s): read differences of that size as noise.%n",
                    100 * FigureTables.median(spreads.values().stream()),
                    100 * widest.getValue(),
                    widest.getKey().replace('/', ' ')));
        }

        /** A table of a row an engine and a column a workload, {@code what} in its corner; a null cell is "–". */
        private void table(StringBuilder t, String what, Function<String, Function<String, String>> cell) {
            List<String> header = new ArrayList<>(List.of(what));
            header.addAll(workloads);
            t.append(Md.row(header)).append('\n');
            t.append(Md.rule(1, workloads.size())).append('\n');
            for (String e : engines) {
                List<String> cells = new ArrayList<>(List.of("`" + e + "`"));
                for (String w : workloads) {
                    String c = cell.apply(e).apply(w);
                    cells.add(c == null ? "–" : c);
                }
                t.append(Md.row(cells)).append('\n');
            }
        }

        /** Ours over the peer set to the same shape, per workload, with each run pair's ratio. */
        private void pairs(StringBuilder t, String command) {
            List<List<String>> shown =
                    PAIRS.stream().filter(p -> engines.containsAll(p)).toList();
            if (shown.isEmpty()) {
                return;
            }
            t.append("\n### On equal terms\n\n");
            t.append("Ours over the peer set to the same shape and memory: the median ops/s of each, then run i"
                            + " over run i (")
                    .append(command)
                    .append(").\n\n");
            List<String> header = new ArrayList<>(List.of("workload"));
            shown.forEach(p -> header.add("`" + p.get(0) + "` / `" + p.get(1) + "`"));
            t.append(Md.row(header)).append('\n');
            t.append(Md.rule(1, shown.size())).append('\n');
            for (String w : workloads) {
                List<String> cells = new ArrayList<>(List.of(w));
                for (List<String> p : shown) {
                    Double a = ops(p.get(0), w);
                    Double b = ops(p.get(1), w);
                    if (a == null || b == null) {
                        cells.add("–");
                        continue;
                    }
                    List<JsonObject> ra = of(p.get(0), w);
                    List<JsonObject> rb = of(p.get(1), w);
                    List<String> byRun = new ArrayList<>();
                    for (int i = 0; i < Math.min(ra.size(), rb.size()); i++) {
                        byRun.add(f("%.2f", number(ra.get(i), "opsPerSecond") / number(rb.get(i), "opsPerSecond")));
                    }
                    cells.add("**" + f("%.2f", a / b) + "** (" + String.join(", ", byRun) + ")");
                }
                t.append(Md.row(cells)).append('\n');
            }
        }

        /** The engines' own counters over the measured operations and the sync after them (medians). */
        private void counters(StringBuilder t, String command) {
            t.append("\n### The engines' counters\n\n");
            t.append("Over the measured operations and the sync after them, the median of the runs (")
                    .append(command)
                    .append("). Write amplification: bytes written to the disk over the key and value bytes put."
                            + " Forces: calls that force a file to the disk, per 1,000 puts. Reads per get: pages"
                            + " read from the file (B+trees), blocks read (LSM trees, lab-01's store; RocksDB's"
                            + " block-cache misses), both for the hybrid. Heap: what the open engine holds after"
                            + " readrandom, after a full collection. Writer: readwhilewriting's puts a second beside"
                            + " the gets. \"–\": the engine does not count it.\n\n");
            t.append(Md.row(
                            "engine",
                            "write amplification, fillrandom",
                            "write amplification, overwrite",
                            "forces per 1,000 puts, fillrandom",
                            "reads per get, readrandom",
                            "cache hit rate, readrandom",
                            "heap held, readrandom, MiB",
                            "writer's puts/s, readwhilewriting"))
                    .append('\n');
            t.append(Md.rule(1, 7)).append('\n');
            for (String e : engines) {
                t.append(Md.row(
                                "`" + e + "`",
                                fmt(value(e, "fillrandom", r -> counter(r, "write_amplification")), "%.2f"),
                                fmt(value(e, "overwrite", r -> counter(r, "write_amplification")), "%.2f"),
                                fmt(value(e, "fillrandom", Baseline::forcesPerThousandPuts), "%,.2f"),
                                fmt(value(e, "readrandom", Baseline::readsPerGet), "%.2f"),
                                fmt(value(e, "readrandom", r -> counter(r, "cache_hit_rate")), "%.3f"),
                                fmt(
                                        value(e, "readrandom", r -> {
                                            Double h = number(r.getAsJsonObject("gauges"), "heap_held_bytes");
                                            return h == null ? null : h / (1 << 20);
                                        }),
                                        "%,.1f"),
                                fmt(value(e, "readwhilewriting", Baseline::writerPutsPerSecond), "%,.0f")))
                        .append('\n');
            }
        }

        private static Double counter(JsonObject run, String name) {
            return number(run.getAsJsonObject("counters"), name);
        }

        private static Double forcesPerThousandPuts(JsonObject run) {
            Double forces = counter(run, "forces");
            Double puts = number(run.getAsJsonObject("operations"), "writes");
            return forces == null || puts == null || puts == 0 ? null : 1000 * forces / puts;
        }

        /** Pages and blocks read per get: the B+tree's, the LSM tree's, or both (the hybrid's two tiers). */
        private static Double readsPerGet(JsonObject run) {
            Double pages = counter(run, "page_reads_per_get");
            Double blocks = counter(run, "block_reads_per_get");
            if (pages == null || pages.isNaN()) {
                return blocks;
            }
            return blocks == null || blocks.isNaN() ? pages : pages + blocks;
        }

        static Double writerPutsPerSecond(JsonObject run) {
            Double writes = number(run.getAsJsonObject("operations"), "writes");
            Double seconds = number(run, "seconds");
            return writes == null || seconds == null || seconds <= 0 ? null : writes / seconds;
        }

        /** Every cell with no run, fewer runs than the others, or runs at another size, and why. */
        private void notMeasured(StringBuilder t) {
            List<String> lines = new ArrayList<>();
            for (String e : engines) {
                for (String w : workloads) {
                    List<JsonObject> rs = of(e, w);
                    String why = reason(e, w);
                    if (rs.isEmpty()) {
                        lines.add("- `" + e + "` " + w + ": " + (why != null ? why : "no run in the folder") + ".");
                    } else if (rs.size() < perCell) {
                        lines.add(f(
                                "- `%s` %s: %d of %d runs%s.",
                                e, w, rs.size(), perCell, why == null ? "" : "; " + why));
                    }
                    if (!rs.isEmpty() && otherSize(e, w)) {
                        JsonObject r = rs.get(0);
                        lines.add(f(
                                "- `%s` %s%s: %,d keys and %,d operations, not the table's %,d keys%s.",
                                e,
                                w,
                                OTHER_SIZE,
                                spec(r, "keys"),
                                spec(r, "ops"),
                                keys,
                                fill(r) ? "" : f(" and %,d operations", ops)));
                    }
                }
            }
            if (!lines.isEmpty()) {
                t.append("\n### Cells of another size, or left out\n\n");
                lines.forEach(l -> t.append(l).append('\n'));
            }
        }
    }
}
