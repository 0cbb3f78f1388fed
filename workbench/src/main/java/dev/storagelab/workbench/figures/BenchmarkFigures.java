package dev.storagelab.workbench.figures;

import static dev.storagelab.workbench.data.Md.f;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.storagelab.workbench.data.Jmh;
import dev.storagelab.workbench.data.Md;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.knowm.xchart.CategoryChart;

/**
 * The db_bench-style baseline of notes/benchmarks.md: its tables and benchmarks-throughput.png from
 * the {@code ./storagelab workload --json} results that {@code notes/figures/run_benchmarks.sh}
 * writes to {@code notes/data/bench} (one an engine and workload).
 */
final class BenchmarkFigures implements FigureFamily {

    static final List<String> ENGINES =
            List.of("sortedlog", "btree", "avl", "skiplist", "bst", "rocksdb", "leveldb", "h2");
    static final List<String> WORKLOADS = List.of(
            "fillseq", "fillrandom", "overwrite", "readrandom", "readmissing", "seekrandom", "readwhilewriting");

    @Override
    public void draw(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        Path dir = data.resolve("bench");
        if (!Files.isDirectory(dir)) {
            return;
        }
        Map<String, JsonObject> results = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p :
                    files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonObject r = Jmh.json(p).getAsJsonObject();
                results.put(
                        r.get("engine").getAsString() + "/" + r.get("workload").getAsString(), r);
            }
        }
        List<String> engines = ENGINES.stream()
                .filter(e -> results.keySet().stream().anyMatch(k -> k.startsWith(e + "/")))
                .toList();
        tables(results, engines, t);
        counters(results, engines, t);
        CategoryChart c = Charts.bars(
                1320,
                600,
                "db_bench-style workloads, 16-byte keys, 100-byte values",
                null,
                "operations per second (log scale)");
        List<List<Double>> all = new ArrayList<>();
        for (String e : engines) {
            List<Double> ys = new ArrayList<>();
            for (String w : WORKLOADS) {
                JsonObject r = results.get(e + "/" + w);
                ys.add(r == null ? null : r.get("opsPerSecond").getAsDouble());
            }
            c.addSeries(e, WORKLOADS, ys);
            all.add(ys);
        }
        Charts.logBars(c, Charts.smallest(all));
        Charts.save(c, out, "benchmarks-throughput.png", log);
    }

    private static String header(List<String> engines) {
        return "| workload | " + String.join(" | ", engines) + " |\n|---|" + "---:|".repeat(engines.size());
    }

    /** The operation a workload is about: the gets of readwhilewriting, else its only one. */
    private static JsonObject mainOp(JsonObject r) {
        JsonObject lat = r.getAsJsonObject("latency");
        if (r.get("workload").getAsString().equals("readwhilewriting")) {
            return lat.getAsJsonObject("get");
        }
        return lat.entrySet().iterator().next().getValue().getAsJsonObject();
    }

    private static void tables(Map<String, JsonObject> results, List<String> engines, PrintStream t) {
        t.println(header(engines));
        for (String w : WORKLOADS) {
            List<String> cells = new ArrayList<>(List.of(w + " ops/s"));
            for (String e : engines) {
                JsonObject r = results.get(e + "/" + w);
                cells.add(r == null ? "–" : f("%,.0f", r.get("opsPerSecond").getAsDouble()));
            }
            t.println(Md.row(cells));
        }
        t.println();
        t.println(header(engines));
        for (String w : WORKLOADS) {
            List<String> cells = new ArrayList<>(List.of(w + " p50 / p99 µs"));
            for (String e : engines) {
                JsonObject r = results.get(e + "/" + w);
                cells.add(
                        r == null
                                ? "–"
                                : f(
                                        "%.1f / %.0f",
                                        mainOp(r).get("p50").getAsDouble(),
                                        mainOp(r).get("p99").getAsDouble()));
            }
            t.println(Md.row(cells));
        }
        t.println();
        t.println("Ratios to the B+tree (ops/s of the engine / ops/s of btree):");
        t.println(header(engines));
        for (String w : WORKLOADS) {
            JsonObject base = results.get("btree/" + w);
            List<String> cells = new ArrayList<>(List.of(w));
            for (String e : engines) {
                JsonObject r = results.get(e + "/" + w);
                cells.add(
                        r == null || base == null
                                ? "–"
                                : f(
                                        "%.2f",
                                        r.get("opsPerSecond").getAsDouble()
                                                / base.get("opsPerSecond").getAsDouble()));
            }
            t.println(Md.row(cells));
        }
    }

    /** The engines' own counters, per run (the measured operations and the final sync). */
    private static void counters(Map<String, JsonObject> results, List<String> engines, PrintStream t) {
        String[][] rows = {
            {"fillrandom", "write_amplification", "write amplification, fillrandom", "%.2f"},
            {"overwrite", "write_amplification", "write amplification, overwrite", "%.2f"},
            {"readrandom", "page_reads_per_get,block_reads_per_get", "pages or blocks read per get, readrandom", "%.2f"
            },
            {"readrandom", "cache_hit_rate", "cache hit rate, readrandom", "%.3f"},
        };
        t.println();
        t.println(header(engines).replace("| workload |", "| counter |"));
        for (String[] row : rows) {
            List<String> cells = new ArrayList<>(List.of(row[2]));
            for (String e : engines) {
                JsonObject r = results.get(e + "/" + row[0]);
                Double value = null;
                for (String name : row[1].split(",")) {
                    JsonElement v =
                            r == null ? null : r.getAsJsonObject("counters").get(name);
                    if (v != null
                            && v.isJsonPrimitive()
                            && v.getAsJsonPrimitive().isNumber()) {
                        value = v.getAsDouble();
                        break;
                    }
                }
                cells.add(value == null || value.isNaN() ? "–" : f(row[3], value));
            }
            t.println(Md.row(cells));
        }
    }
}
