package dev.storagelab.workbench.figures;

import static dev.storagelab.workbench.data.Md.cell;
import static dev.storagelab.workbench.data.Md.f;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.storagelab.workbench.data.Jmh;
import dev.storagelab.workbench.data.Md;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.knowm.xchart.CategoryChart;

/**
 * lab-04's figures of time (notes/04-btree.md): the B+tree against the lab-01 store
 * ({@code lab04-fill.json}, {@code lab04-bulk-load.json}, {@code lab04-read.json}: lab04-store-ops.png),
 * the leaf fill's table ({@code lab04-leaf-fill.json}), the fixes' alternating runs ({@code
 * lab04-fixes.json}) and T11's page latches against the tree-wide lock ({@code lab04-concurrency.json}
 * and {@code lab04-rww-*.json}, tables only: their plot is in no chapter, and chapter 4's log quotes
 * the runs). The buffer pool's and the write amplification's figures are
 * {@link Lab04PoolFigures}. Counts JMH summed over the iterations are divided by the operations
 * they were counted over.
 */
final class Lab04Figures implements FigureFamily {

    private static final List<String> IMPLS = List.of("BPlusTree", "SortedLogStore", "SortedLogStore4");
    private static final Map<String, String> LABELS = Map.of(
            "BPlusTree", "B+tree (4 MiB pool)",
            "SortedLogStore", "lab-01 store, 1 segment",
            "SortedLogStore4", "lab-01 store, 4 segments");
    private static final Map<String, String> OP_LABELS = Map.of(
            "fillrandom", "fillrandom (per put)",
            "fillseq", "fillseq (per put)",
            "readrandom", "readrandom (per get)",
            "seekscan", "seek + scan 100 (per scan)");

    @Override
    public void draw(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        storeOps(data, out, t, log);
        leafFill(data, t);
        fixes(data, t);
        concurrency(data, t);
    }

    private static void storeOps(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        List<JsonObject> fill = Jmh.resultsIfPresent(data, "lab04-fill.json");
        List<JsonObject> bulk = Jmh.resultsIfPresent(data, "lab04-bulk-load.json");
        List<JsonObject> read = Jmh.resultsIfPresent(data, "lab04-read.json");
        Map<String, Jmh.Summary> bars = new HashMap<>(); // operation/impl -> µs per op
        List<String> ops = new ArrayList<>();
        if (fill != null) {
            record Fill(Jmh.Summary s, double disk, double user) {}
            Map<String, Fill> rows = new HashMap<>();
            for (JsonObject r : fill) {
                rows.put(
                        Jmh.param(r, "order") + "/" + Jmh.param(r, "impl"),
                        new Fill(
                                Jmh.micros(Jmh.secondary(r, "keyOps")),
                                Jmh.total(Jmh.secondary(r, "diskBytesWritten")),
                                Jmh.total(Jmh.secondary(r, "userBytesWritten"))));
            }
            t.println(f(
                    "## Fill: %,d puts into an empty store, then close (µs per put, median [min, max]; write"
                            + " amplification = disk bytes / user bytes)",
                    Jmh.intParam(fill.get(0), "keys")));
            t.println();
            t.println("| order | B+tree | lab-01 store | B+tree / lab-01 | B+tree write amp. | lab-01 write amp. |");
            t.println("| --- | ---: | ---: | ---: | ---: | ---: |");
            for (String order : List.of("random", "sequential")) {
                Fill b = rows.get(order + "/BPlusTree");
                Fill s = rows.get(order + "/SortedLogStore");
                if (b == null || s == null) {
                    continue;
                }
                t.println(f(
                        "| %s | %s | %s | %.2f | %.1f | %.1f |",
                        order,
                        cell(b.s()),
                        cell(s.s()),
                        b.s().median() / s.s().median(),
                        b.disk() / b.user(),
                        s.disk() / s.user()));
                String label = order.equals("random") ? "fillrandom" : "fillseq";
                ops.add(label);
                bars.put(label + "/BPlusTree", b.s());
                bars.put(label + "/SortedLogStore", s.s());
            }
            t.println();
        }
        if (bulk != null) {
            Map<String, Object[]> rows = new HashMap<>();
            for (JsonObject r : bulk) {
                rows.put(Jmh.method(r), new Object[] {
                    Jmh.micros(Jmh.secondary(r, "keyOps")),
                    Jmh.total(Jmh.secondary(r, "diskBytesWritten")) / Jmh.total(Jmh.secondary(r, "builds"))
                });
            }
            t.println(f(
                    "## Building a B+tree of %,d sorted keys (µs per key, median [min, max]; MB written per build)",
                    Jmh.intParam(bulk.get(0), "keys")));
            t.println();
            t.println("| how | µs per key | MB written | time / bulk load's |");
            t.println("| --- | ---: | ---: | ---: |");
            for (String m : List.of("fillseq", "bulkLoad")) {
                if (rows.containsKey(m)) {
                    Jmh.Summary s = (Jmh.Summary) rows.get(m)[0];
                    double ratio = rows.containsKey("bulkLoad")
                            ? s.median() / ((Jmh.Summary) rows.get("bulkLoad")[0]).median()
                            : Double.NaN;
                    t.println(f("| %s | %s | %.1f | %.2f |", m, cell(s), (double) rows.get(m)[1] / 1e6, ratio));
                }
            }
            t.println();
        }
        if (read != null) {
            record Read(Jmh.Summary s, double reads) {}
            Map<String, Read> rows = new HashMap<>();
            for (JsonObject r : read) {
                rows.put(
                        Jmh.method(r) + "/" + Jmh.param(r, "impl"),
                        new Read(
                                Jmh.micros(Jmh.secondary(r, "keyOps")),
                                Jmh.total(Jmh.secondary(r, "pageReads")) / Jmh.total(Jmh.secondary(r, "ops"))));
            }
            List<String> impls = IMPLS.stream()
                    .filter(i -> rows.keySet().stream().anyMatch(k -> k.endsWith("/" + i)))
                    .toList();
            t.println(f(
                    "## Reads, %,d keys (µs per operation, median [min, max]; pages or blocks read per operation)",
                    Jmh.intParam(read.get(0), "keys")));
            t.println();
            List<String> header = new ArrayList<>(List.of("operation"));
            impls.forEach(i -> header.add(LABELS.get(i) + " | reads"));
            t.println(Md.row(header));
            t.println("| --- |" + " ---: | ---: |".repeat(impls.size()));
            for (String[] m : new String[][] {{"readrandom", "readrandom (get)"}, {"seekscan", "seek + scan 100"}}) {
                List<String> cells = new ArrayList<>(List.of(m[1]));
                for (String i : impls) {
                    Read r = rows.get(m[0] + "/" + i);
                    if (r != null) {
                        cells.add(cell(r.s()) + " | " + f("%.2f", r.reads()));
                        bars.put(m[0] + "/" + i, r.s());
                    } else {
                        cells.add("- | -");
                    }
                }
                ops.add(m[0]);
                t.println(Md.row(cells));
            }
            t.println();
            List<String> ratioHeader = new ArrayList<>(List.of("operation"));
            impls.subList(1, impls.size()).forEach(i -> ratioHeader.add("B+tree / " + LABELS.get(i)));
            t.println(Md.row(ratioHeader));
            t.println(Md.rule(1, impls.size() - 1));
            for (String m : List.of("readrandom", "seekscan")) {
                Read b = rows.get(m + "/BPlusTree");
                if (b != null) {
                    List<String> cells = new ArrayList<>(List.of(m));
                    for (String i : impls.subList(1, impls.size())) {
                        Read r = rows.get(m + "/" + i);
                        cells.add(r == null ? "-" : f("%.2f", b.s().median() / r.s().median()));
                    }
                    t.println(Md.row(cells));
                }
            }
            t.println();
        }
        if (bars.isEmpty()) {
            return;
        }
        CategoryChart c = Charts.bars(
                1080,
                576,
                "lab-04: a B+tree against the lab-01 LSM-ish store, 1M keys (16 B keys, 100 B values)",
                null,
                "µs per operation (log scale)");
        c.getStyler().setLabelsVisible(true);
        c.getStyler().setLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 9));
        c.getStyler().setLabelsPosition(0.95);
        c.getStyler().setLabelsFontColorAutomaticEnabled(false);
        c.getStyler().setLabelsFontColor(java.awt.Color.DARK_GRAY);
        List<String> labels =
                ops.stream().map(o -> OP_LABELS.getOrDefault(o, o)).toList();
        List<List<Double>> all = new ArrayList<>();
        for (String impl : IMPLS) {
            if (bars.keySet().stream().noneMatch(k -> k.endsWith("/" + impl))) {
                continue;
            }
            List<Double> med = new ArrayList<>();
            for (String op : ops) {
                Jmh.Summary s = bars.get(op + "/" + impl);
                med.add(s == null ? null : s.median());
            }
            c.addSeries(LABELS.get(impl), labels, med);
            all.add(med);
        }
        Charts.logBars(c, all);
        Charts.save(c, out, "lab04-store-ops.png", log);
        t.println();
    }

    private static void leafFill(Path data, PrintStream t) throws IOException {
        JsonObject d = Jmh.objectIfPresent(data, "lab04-leaf-fill.json");
        if (d == null) {
            return;
        }
        t.println(f(
                "## Leaf fill, %,d keys of %d + %d bytes, 4 KiB pages",
                d.get("keys").getAsLong(),
                d.get("keyBytes").getAsInt(),
                d.get("valueBytes").getAsInt()));
        t.println();
        t.println("| built by | leaves | internal pages | height | leaf fill | emptiest leaf | file |");
        t.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (JsonElement e : d.getAsJsonArray("rows")) {
            JsonObject r = e.getAsJsonObject();
            String build = r.get("build").getAsString();
            String how = switch (build) {
                case "random" -> "puts, random order";
                case "sequential" -> "puts, increasing order";
                default ->
                    "bulk load, fill factor "
                            + (r.has("fillFactor") ? Md.g(r.get("fillFactor").getAsDouble()) : "None");
            };
            t.println(f(
                    "| %s | %,d | %,d | %d | %.1f%% | %.1f%% | %.0f MiB |",
                    how,
                    r.get("leaves").getAsLong(),
                    r.get("internalPages").getAsLong(),
                    r.get("height").getAsInt(),
                    100 * r.get("leafFill").getAsDouble(),
                    100 * r.get("minLeafFill").getAsDouble(),
                    r.get("fileBytes").getAsDouble() / (1 << 20)));
        }
        t.println();
    }

    private static void fixes(Path data, PrintStream t) throws IOException {
        List<JsonObject> results = Jmh.resultsIfPresent(data, "lab04-fixes.json");
        if (results == null) {
            return;
        }
        record Run(Jmh.Summary s, double reads) {}
        Map<String, Run> rows = new HashMap<>();
        TreeSet<String> rounds = new TreeSet<>();
        for (JsonObject r : results) {
            rounds.add(Jmh.param(r, "round"));
            rows.put(
                    Jmh.method(r) + "/" + Jmh.param(r, "code") + "/" + Jmh.param(r, "round"),
                    new Run(
                            Jmh.micros(Jmh.secondary(r, "keyOps")),
                            Jmh.total(Jmh.secondary(r, "pageReads")) / Jmh.total(Jmh.secondary(r, "ops"))));
        }
        t.println("## The B+tree before and after the fixes, alternating runs (µs per operation, median [min, max];"
                + " pages read per operation)");
        t.println();
        List<String> header = new ArrayList<>(List.of("operation", "code"));
        rounds.forEach(i -> header.add("run " + i));
        header.add("pages read");
        t.println(Md.row(header));
        t.println("| --- | --- |" + " ---: |".repeat(rounds.size() + 1));
        for (String[] m : new String[][] {{"readrandom", "readrandom"}, {"seekscan", "seek + scan 100"}}) {
            for (String code : List.of("before", "after")) {
                List<String> cells = new ArrayList<>(List.of(m[1], code));
                double reads = Double.NaN;
                for (String i : rounds) {
                    Run run = rows.get(m[0] + "/" + code + "/" + i);
                    cells.add(run == null ? "-" : cell(run.s()));
                    if (run != null && Double.isNaN(reads)) {
                        reads = run.reads();
                    }
                }
                cells.add(f("%.2f", reads));
                t.println(Md.row(cells));
            }
        }
        t.println();
    }

    private static final List<String> MODES = List.of("latches", "treeLock");
    private static final Map<String, String> MODE_LABELS =
            Map.of("latches", "page latches (T11)", "treeLock", "tree-wide lock (fallback)");

    private static void concurrency(Path data, PrintStream t) throws IOException {
        List<JsonObject> jmh = Jmh.resultsIfPresent(data, "lab04-concurrency.json");
        Map<String, List<JsonObject>> rww = new LinkedHashMap<>();
        for (String mode : MODES) {
            for (int i = 1; ; i++) {
                JsonObject d = Jmh.objectIfPresent(data, "lab04-rww-" + mode + "-" + i + ".json");
                if (d == null) {
                    break;
                }
                rww.computeIfAbsent(mode, k -> new ArrayList<>()).add(d);
            }
        }
        if (jmh == null && rww.isEmpty()) {
            return;
        }
        if (jmh != null) {
            Map<String, Jmh.Summary> rows = new HashMap<>();
            for (JsonObject r : jmh) {
                rows.put(Jmh.method(r) + "/" + Jmh.param(r, "locking"), Jmh.summary(Jmh.primary(r)));
            }
            t.println("## ConcurrencyBenchmark (operations per second, median [min, max] of the iterations)");
            t.println();
            t.println(Md.row("benchmark", MODE_LABELS.get("latches"), MODE_LABELS.get("treeLock")));
            t.println(Md.rule(1, 2));
            List<String> names = List.of("oneWriter", "twoWriters", "readrandom");
            for (String n : names) {
                List<String> cells = new ArrayList<>(List.of(n));
                for (String m : MODES) {
                    Jmh.Summary s = rows.get(n + "/" + m);
                    cells.add(s == null ? "-" : cell(s));
                }
                t.println(Md.row(cells));
            }
            for (String m : MODES) {
                if (rows.containsKey("oneWriter/" + m) && rows.containsKey("twoWriters/" + m)) {
                    t.println();
                    t.println(f(
                            "two writers / one writer, %s: %.2f",
                            MODE_LABELS.get(m),
                            rows.get("twoWriters/" + m).median()
                                    / rows.get("oneWriter/" + m).median()));
                }
            }
            if (rows.containsKey("readrandom/latches") && rows.containsKey("readrandom/treeLock")) {
                t.println(f(
                        "readrandom, time per get with latches over the tree-wide lock: %.2f",
                        rows.get("readrandom/treeLock").median()
                                / rows.get("readrandom/latches").median()));
            }
            t.println();
        }
        if (!rww.isEmpty()) {
            t.println("## readwhilewriting, 1M keys (gets per second beside one writer; get p50 / p99 / p99.9 µs)");
            t.println();
            for (String m : MODES) {
                int i = 1;
                for (JsonObject d : rww.getOrDefault(m, List.of())) {
                    JsonObject g = d.getAsJsonObject("latency").getAsJsonObject("get");
                    t.println(f(
                            "| %s | run %d | %,.0f | %.1f / %.1f / %,.0f | %,d writes |",
                            MODE_LABELS.get(m),
                            i++,
                            d.get("opsPerSecond").getAsDouble(),
                            g.get("p50").getAsDouble(),
                            g.get("p99").getAsDouble(),
                            g.get("p999").getAsDouble(),
                            d.getAsJsonObject("operations").get("writes").getAsLong()));
                }
            }
            t.println();
        }
    }
}
