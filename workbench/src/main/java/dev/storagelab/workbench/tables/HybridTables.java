package dev.storagelab.workbench.tables;

import static dev.storagelab.workbench.data.Md.f;
import static dev.storagelab.workbench.tables.FigureTables.fmt;
import static dev.storagelab.workbench.tables.FigureTables.median;
import static dev.storagelab.workbench.tables.FigureTables.number;
import static dev.storagelab.workbench.tables.FigureTables.ops;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.storagelab.workbench.data.Jmh;
import dev.storagelab.workbench.data.Md;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * lab-07's tables: the workloads against the B+tree and the LSM tree with the targets on
 * e-commerce ({@code measure_lab07.sh}'s runs), and the arena's cells ({@code measure_arena.sh}'s).
 * Each figure is its own median: the median run by throughput need not be the median by p99.
 */
final class HybridTables {

    private static final List<String> WORKLOADS = List.of("ecommerce", "ycsb-a", "ycsb-b", "ycsb-e", "fillrandom");
    /** The operation whose p99 the latency table shows: the gets where there are any. */
    private static final Map<String, String> P99_OF =
            Map.of("ecommerce", "get", "ycsb-a", "get", "ycsb-b", "get", "ycsb-e", "scan", "fillrandom", "put");

    private HybridTables() {}

    private static Double p99(List<JsonObject> rs, String kind) {
        return median(rs.stream().map(r -> number(r.getAsJsonObject("latency").getAsJsonObject(kind), "p99")));
    }

    private static Double counter(List<JsonObject> rs, String name) {
        return median(rs.stream().map(r -> number(r.getAsJsonObject("counters"), name)));
    }

    private static Double gauge(List<JsonObject> rs, String name) {
        return median(rs.stream().map(r -> number(r.getAsJsonObject("gauges"), name)));
    }

    private static String loads(List<JsonObject> rs) {
        List<Double> ls = FigureTables.loads(rs);
        return ls.isEmpty() ? "?" : f("%.1f–%.1f", ls.get(0), ls.get(ls.size() - 1));
    }

    static void print(Path d, List<String> engines, PrintStream t) throws IOException {
        Map<String, List<JsonObject>> runs = FigureTables.runs(d, engines, WORKLOADS, true);
        List<String> base = engines.stream().filter(e -> !e.equals("hybrid")).toList();
        boolean hybrid = engines.contains("hybrid");
        t.println("# lab-07: hybrid against the B+tree and the LSM tree\n");
        if (!runs.isEmpty()) {
            JsonObject s = runs.values().iterator().next().get(0).getAsJsonObject("spec");
            t.println(f(
                    "`notes/figures/measure_lab07.sh`: %,d keys, %d-byte values, seed %d; %,d measured operations (the"
                            + " fills put every key); the preload and its sync untimed; one JVM and a fresh directory per"
                            + " run. Each cell is the median of its runs (the number in brackets); the load is the 1-minute"
                            + " load average before and after those runs, lowest–highest, on 2 cores shared with other work.\n",
                    s.get("keys").getAsLong(),
                    s.get("valueBytes").getAsInt(),
                    s.get("seed").getAsLong(),
                    s.get("ops").getAsLong()));
        }
        t.println("## Throughput, ops/s\n");
        List<String> header = new ArrayList<>(List.of("workload"));
        header.addAll(engines);
        if (hybrid) {
            header.add("hybrid / best of " + String.join(", ", base));
        }
        header.add("load");
        t.println(Md.row(header));
        t.println("|---".repeat(header.size()) + "|");
        for (String w : WORKLOADS) {
            List<String> cells = new ArrayList<>(List.of(w));
            Map<String, Double> med = new LinkedHashMap<>();
            for (String e : engines) {
                List<JsonObject> rs = runs.getOrDefault(e + "/" + w, List.of());
                med.put(e, ops(rs));
                cells.add(rs.isEmpty() ? "–" : fmt(med.get(e), "%,.0f") + " (" + rs.size() + ")");
            }
            if (hybrid) {
                double best = base.stream()
                        .map(med::get)
                        .filter(x -> x != null && x != 0)
                        .mapToDouble(x -> x)
                        .max()
                        .orElse(0);
                cells.add(med.get("hybrid") != null && best != 0 ? f("%.2f", med.get("hybrid") / best) : "–");
            }
            cells.add(loads(engines.stream()
                    .flatMap(e -> runs.getOrDefault(e + "/" + w, List.of()).stream())
                    .toList()));
            t.println(Md.row(cells));
        }
        t.println("\n## p99 latency, µs (of the gets; ycsb-e: of the scans; fillrandom: of the puts)\n");
        List<String> h2 = new ArrayList<>(List.of("workload"));
        h2.addAll(engines);
        t.println(Md.row(h2));
        t.println("|---".repeat(h2.size()) + "|");
        for (String w : WORKLOADS) {
            List<String> cells = new ArrayList<>(List.of(w + " (" + P99_OF.get(w) + ")"));
            engines.forEach(e ->
                    cells.add(fmt(p99(runs.getOrDefault(e + "/" + w, List.of()), P99_OF.get(w)), "%,.1f")));
            t.println(Md.row(cells));
        }
        t.println(
                "\n## Write amplification (disk bytes written over user bytes; the measured operations and the final sync)\n");
        t.println(Md.row(h2));
        t.println("|---".repeat(h2.size()) + "|");
        for (String w : WORKLOADS) {
            List<String> cells = new ArrayList<>(List.of(w));
            engines.forEach(e ->
                    cells.add(fmt(counter(runs.getOrDefault(e + "/" + w, List.of()), "write_amplification"), "%.2f")));
            t.println(Md.row(cells));
        }
        if (!hybrid) {
            return;
        }
        t.println("\n## The hybrid's own figures (medians)\n");
        t.println(
                "| workload | migrations | deferred | hot keys at the end | cache hit rate | B+tree page reads per get"
                        + " | LSM block reads per get |");
        t.println("|---".repeat(7) + "|");
        for (String w : WORKLOADS) {
            List<JsonObject> rs = runs.getOrDefault("hybrid/" + w, List.of());
            if (!rs.isEmpty()) {
                t.println(Md.row(
                        w,
                        fmt(counter(rs, "migrations"), "%,.0f"),
                        fmt(counter(rs, "migrations_deferred"), "%,.0f"),
                        fmt(gauge(rs, "hot_keys"), "%,.0f"),
                        fmt(counter(rs, "cache_hit_rate"), "%.3f"),
                        fmt(counter(rs, "page_reads_per_get"), "%.3f"),
                        fmt(counter(rs, "block_reads_per_get"), "%.3f")));
            }
        }
        List<JsonObject> h = runs.getOrDefault("hybrid/ecommerce", List.of());
        List<JsonObject> b = runs.getOrDefault("btree/ecommerce", List.of());
        List<JsonObject> l = runs.getOrDefault("lsm/ecommerce", List.of());
        if (!h.isEmpty() && !b.isEmpty() && !l.isEmpty()) {
            t.println("\n## The targets, on ecommerce\n");
            double best = Math.max(ops(b), ops(l));
            double ratio = ops(h) / best;
            double waH = counter(h, "write_amplification");
            double waB = counter(b, "write_amplification");
            double pH = p99(h, "get");
            double pL = p99(l, "get");
            t.println("| check | figures | met |");
            t.println("|---|---|---|");
            t.println(f(
                    "| ops/s at least 1.3x the better of btree and lsm | %,.0f / %,.0f = %.2fx | %s |",
                    ops(h), best, ratio, ratio >= 1.3 ? "yes" : "no"));
            t.println(f(
                    "| write amplification below the btree's | %.2f against %.2f | %s |",
                    waH, waB, waH < waB ? "yes" : "no"));
            t.println(f("| get p99 below the lsm's | %,.1f against %,.1f µs | %s |", pH, pL, pH < pL ? "yes" : "no"));
        }
    }

    private static final List<String> CELLS = List.of(
            "ecommerce",
            "ecommerce-settled",
            "ycsb-b",
            "ycsb-c",
            "uniform-in-memory",
            "uniform-in-memory-with-cache",
            "uniform-in-memory-first");

    private static double n(JsonObject o, String k) {
        return o.get(k).getAsDouble();
    }

    private static String rounds(JsonObject r, String key, String pattern) {
        List<String> out = new ArrayList<>();
        if (r.has(key)) {
            r.getAsJsonArray(key).forEach(v -> out.add(f(pattern, v.getAsDouble())));
        }
        return String.join(", ", out);
    }

    /** The arena's tables of the cells measured in {@code d}, as Markdown. */
    static String arena(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            throw new IllegalArgumentException(d + " does not exist; name the folder measure_arena.sh wrote");
        }
        List<String> lines = new ArrayList<>();
        for (String cell : CELLS) {
            Path path = d.resolve(cell + ".json");
            if (!Files.isRegularFile(path)) {
                continue;
            }
            JsonObject doc = Jmh.json(path).getAsJsonObject();
            Path loadFile = d.resolve(cell + ".load");
            List<String> load = !Files.isRegularFile(loadFile)
                    ? List.of()
                    : Files.readAllLines(loadFile, StandardCharsets.UTF_8).stream()
                            .filter(x -> x.contains("load average:"))
                            .map(x -> x.split("load average:")[1].trim())
                            .toList();
            Map<String, JsonObject> res = new LinkedHashMap<>();
            for (JsonElement e : doc.getAsJsonArray("results")) {
                res.put(e.getAsJsonObject().get("engine").getAsString(), e.getAsJsonObject());
            }
            JsonObject first = doc.getAsJsonArray("results").get(0).getAsJsonObject();
            lines.add(f(
                    "### %s: %,d keys, data %s x a budget of %d MiB, sync %s, page cache bypassed: %s",
                    cell,
                    first.get("keys").getAsLong(),
                    Md.g(n(doc, "dataMultiple")),
                    doc.get("memoryBudget").getAsLong() >> 20,
                    doc.get("syncMode").getAsString(),
                    doc.get("pageCacheBypassed").getAsBoolean() ? "True" : "False"));
            lines.add("");
            lines.add("load average before: " + (load.isEmpty() ? "?" : load.get(0)) + "; after: "
                    + (load.size() > 1 ? load.get(1) : "?"));
            lines.add("");
            lines.add(
                    "| engine | ops/s (median) | rounds' ops/s | CPU µs/op | rounds' CPU µs/op | write amp. | get p50 / p99"
                            + " / p99.9 µs | memory held | settled |");
            lines.add("| --- | ---: | --- | ---: | --- | ---: | --- | ---: | --- |");
            for (var e : res.entrySet()) {
                JsonObject r = e.getValue();
                lines.add(f(
                        "| %s | %,.0f | %s | %.1f | %s | %.2f | %.1f / %.0f / %.0f | %.2f MiB | %s |",
                        e.getKey(),
                        n(r, "opsPerSecond"),
                        rounds(r, "roundsOpsPerSecond", "%,.0f"),
                        n(r, "cpuMicrosPerOp"),
                        rounds(r, "roundsCpuMicrosPerOp", "%.1f"),
                        n(r, "writeAmplification"),
                        n(r, "getP50Micros"),
                        n(r, "getP99Micros"),
                        n(r, "getP999Micros"),
                        n(r, "memoryBytes") / (1 << 20),
                        r.get("settled").getAsBoolean() ? "True" : "False"));
            }
            lines.add("");
            if (res.containsKey("hybrid")) {
                JsonObject h = res.get("hybrid");
                JsonObject best = res.entrySet().stream()
                        .filter(e -> e.getKey().equals("btree") || e.getKey().equals("lsm"))
                        .map(Map.Entry::getValue)
                        .max((a, b) -> Double.compare(n(a, "opsPerSecond"), n(b, "opsPerSecond")))
                        .orElse(null);
                if (best != null) {
                    List<String> ratios = new ArrayList<>();
                    if (h.has("roundsOpsPerSecond") && best.has("roundsOpsPerSecond")) {
                        var hr = h.getAsJsonArray("roundsOpsPerSecond");
                        var br = best.getAsJsonArray("roundsOpsPerSecond");
                        for (int i = 0; i < Math.min(hr.size(), br.size()); i++) {
                            ratios.add(f(
                                    "%.2f", hr.get(i).getAsDouble() / br.get(i).getAsDouble()));
                        }
                    }
                    lines.add(f(
                            "- hybrid / better pure engine (%s): **%.2fx** throughput (rounds: %s); write amplification"
                                    + " %.2f vs %.2f; get p99 %.0f vs %.0f µs",
                            best.get("engine").getAsString(),
                            n(h, "opsPerSecond") / n(best, "opsPerSecond"),
                            String.join(", ", ratios),
                            n(h, "writeAmplification"),
                            n(best, "writeAmplification"),
                            n(h, "getP99Micros"),
                            n(best, "getP99Micros")));
                }
                if (res.containsKey("btree")) {
                    JsonObject b = res.get("btree");
                    lines.add(f(
                            "- hybrid / btree: %.2fx throughput; CPU time per operation %.2fx the B+tree's",
                            n(h, "opsPerSecond") / n(b, "opsPerSecond"),
                            n(h, "cpuMicrosPerOp") / n(b, "cpuMicrosPerOp")));
                }
                if (res.containsKey("rocksdb")) {
                    JsonObject rk = res.get("rocksdb");
                    lines.add("- against RocksDB, the production peer: "
                            + List.of("btree", "lsm", "hybrid").stream()
                                    .filter(res::containsKey)
                                    .map(e -> f(
                                            "%s %.2fx its throughput, %.2fx its CPU time per operation",
                                            e,
                                            n(res.get(e), "opsPerSecond") / n(rk, "opsPerSecond"),
                                            n(res.get(e), "cpuMicrosPerOp") / n(rk, "cpuMicrosPerOp")))
                                    .collect(Collectors.joining("; ")));
                }
                lines.add("");
            }
            List<JsonObject> timed = res.values().stream()
                    .filter(r -> r.has("deviceReadMicrosPerOp"))
                    .toList();
            if (!timed.isEmpty()) {
                lines.add(
                        "Where the time goes (the median round): time per operation, the request thread's wait for the"
                                + " device's reads (direct reads; -1: the engine reads its own files), and each kind of"
                                + " operation's share of the measured time with its mean:");
                lines.add("");
                for (JsonObject r : timed) {
                    String shares = r.getAsJsonObject("latency").entrySet().stream()
                            .map(e -> f(
                                    "%s %.0f%% (%.1f µs)",
                                    e.getKey(),
                                    100 * n(e.getValue().getAsJsonObject(), "timeShare"),
                                    n(e.getValue().getAsJsonObject(), "mean")))
                            .collect(Collectors.joining(", "));
                    JsonElement state = r.get("engineState");
                    boolean hasState = state != null
                            && state.isJsonObject()
                            && state.getAsJsonObject().size() > 0;
                    lines.add(f(
                                    "- %s: %.2f µs, device reads %.2f µs; %s",
                                    r.get("engine").getAsString(),
                                    1e6 / n(r, "opsPerSecond"),
                                    n(r, "deviceReadMicrosPerOp"),
                                    shares)
                            + (hasState ? "; state " + state : ""));
                }
                lines.add("");
            }
        }
        return String.join("\n", lines) + "\n";
    }
}
