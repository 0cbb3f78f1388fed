package dev.storagelab.workbench.figures;

import static dev.storagelab.workbench.data.Md.f;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.storagelab.workbench.data.Jmh;
import dev.storagelab.workbench.data.Md;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * lab-04's figures of counts (notes/04-btree.md), written by the Lab04Experiments program: the
 * buffer pool's hit rate against its size, LRU and LRU-2, on three workloads ({@code
 * lab04-buffer-pool.json}, and the code before the TreeScan fix in {@code
 * lab04-buffer-pool-before.json}: lab04-hit-rate.png), and the write amplification against the
 * checkpoint interval ({@code lab04-write-amp.json}: lab04-write-amp.png).
 */
final class Lab04PoolFigures implements FigureFamily {

    private static final String[][] WORKLOADS = {
        {"uniform", "uniform gets"},
        {"zipfian", "Zipfian gets (θ = 0.99, scrambled)"},
        {"zipfian+scans", "Zipfian gets + a 1,000-entry scan per 100 gets"}
    };
    private static final List<String> REPLACERS = List.of("LRU", "LRU_2");
    private static final Map<String, Color> REPLACER_COLORS = Map.of("LRU", Charts.ORANGE, "LRU_2", Charts.BLUE);

    @Override
    public void draw(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        bufferPool(data, out, t, log);
        writeAmp(data, out, t, log);
    }

    private static Map<String, JsonObject> byKey(JsonObject d, String... fields) {
        Map<String, JsonObject> rows = new LinkedHashMap<>();
        for (JsonElement e : d.getAsJsonArray("rows")) {
            JsonObject r = e.getAsJsonObject();
            StringBuilder k = new StringBuilder();
            for (String field : fields) {
                k.append(r.get(field).getAsString()).append('/');
            }
            rows.put(k.toString(), r);
        }
        return rows;
    }

    private static String hit(JsonObject r) {
        return r == null
                ? "-"
                : f(
                        "%.1f%% (%.2f)",
                        100 * r.get("hitRate").getAsDouble(),
                        r.get("missesPerGet").getAsDouble());
    }

    private static void bufferPool(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        JsonObject d = Jmh.objectIfPresent(data, "lab04-buffer-pool.json");
        if (d == null) {
            return;
        }
        JsonObject tree = d.getAsJsonObject("tree");
        Map<String, JsonObject> rows = byKey(d, "workload", "replacer", "poolFrames");
        TreeSet<Integer> sizes = new TreeSet<>();
        d.getAsJsonArray("rows")
                .forEach(e -> sizes.add(e.getAsJsonObject().get("poolFrames").getAsInt()));
        t.println(f(
                "## Buffer pool, %,d-key tree (%,d leaves, %,d internal pages, height %d); %,d warm-up gets, %,d measured",
                d.get("keys").getAsLong(),
                tree.get("leaves").getAsLong(),
                tree.get("internalPages").getAsLong(),
                tree.get("height").getAsInt(),
                d.get("warmupGets").getAsLong(),
                d.get("measuredGets").getAsLong()));
        t.println();
        List<String> header = new ArrayList<>(List.of("pool (frames)", "pool (MiB)"));
        for (String[] w : WORKLOADS) {
            header.add(w[0] + ": LRU | LRU-2");
        }
        t.println(Md.row(header));
        t.println("| ---: | ---: |" + " ---: | ---: |".repeat(WORKLOADS.length));
        for (int s : sizes) {
            List<String> cells = new ArrayList<>(List.of(f("%,d", s), Md.g(s * 4 / 1024.0)));
            for (String[] w : WORKLOADS) {
                for (String rep : REPLACERS) {
                    cells.add(hit(rows.get(w[0] + "/" + rep + "/" + s + "/")));
                }
            }
            t.println(Md.row(cells));
        }
        t.println();
        t.println("(hit rate over the gets' page fetches, and misses per get in brackets)");
        t.println();
        JsonObject beforeFix = Jmh.objectIfPresent(data, "lab04-buffer-pool-before.json");
        Map<String, JsonObject> old =
                beforeFix == null ? Map.of() : byKey(beforeFix, "workload", "replacer", "poolFrames");
        if (!old.isEmpty()) {
            t.println("## Zipfian gets + scans, before and after the TreeScan fix (hit rate, misses per get)");
            t.println();
            t.println("| pool (frames) | LRU, before | LRU, after | LRU-2, before | LRU-2, after |");
            t.println("| ---: | ---: | ---: | ---: | ---: |");
            for (int s : sizes) {
                List<String> cells = new ArrayList<>(List.of(f("%,d", s)));
                for (String rep : REPLACERS) {
                    for (Map<String, JsonObject> table : List.of(old, rows)) {
                        cells.add(hit(table.get("zipfian+scans/" + rep + "/" + s + "/")));
                    }
                }
                t.println(Md.row(cells));
            }
            t.println();
        }
        int internal = tree.get("internalPages").getAsInt();
        int whole = internal + tree.get("leaves").getAsInt();
        List<XYChart> top = new ArrayList<>();
        List<XYChart> bottom = new ArrayList<>();
        double bottomHi = 0;
        double topLo = 100;
        for (String[] w : WORKLOADS) {
            XYChart hitRate = Charts.xy(560, 420, w[1], null, "hit rate of the gets' page fetches, %");
            XYChart misses =
                    Charts.xy(560, 380, null, "pool size, 4 KiB frames (log scale)", "misses (page reads) per get");
            for (XYChart c : List.of(hitRate, misses)) {
                Charts.logXLabels(c, 2, Charts::plain);
                c.getStyler().setChartTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 12));
            }
            hitRate.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
            misses.getStyler().setLegendVisible(false);
            for (String rep : REPLACERS) {
                List<Integer> present = sizes.stream()
                        .filter(s -> rows.containsKey(w[0] + "/" + rep + "/" + s + "/"))
                        .toList();
                double[] xs = Charts.log(
                        present.stream().mapToDouble(Integer::doubleValue).toArray(), 2);
                double[] rate = present.stream()
                        .mapToDouble(s -> 100
                                * rows.get(w[0] + "/" + rep + "/" + s + "/")
                                        .get("hitRate")
                                        .getAsDouble())
                        .toArray();
                double[] miss = present.stream()
                        .mapToDouble(s -> rows.get(w[0] + "/" + rep + "/" + s + "/")
                                .get("missesPerGet")
                                .getAsDouble())
                        .toArray();
                String label = rep.equals("LRU_2") ? "LRU-2" : rep;
                var marker = rep.equals("LRU") ? SeriesMarkers.CIRCLE : SeriesMarkers.SQUARE;
                Charts.line(hitRate, label, xs, rate, REPLACER_COLORS.get(rep), marker, null);
                Charts.line(misses, label, xs, miss, REPLACER_COLORS.get(rep), marker, null);
                topLo = Math.min(topLo, Charts.min(rate));
                bottomHi = Math.max(bottomHi, Charts.max(miss));
            }
            List<Integer> before = sizes.stream()
                    .filter(s -> old.containsKey(w[0] + "/LRU_2/" + s + "/"))
                    .toList();
            if (!before.isEmpty()) {
                double[] xs = Charts.log(
                        before.stream().mapToDouble(Integer::doubleValue).toArray(), 2);
                Charts.line(
                        hitRate,
                        "LRU-2 before the scan fix",
                        xs,
                        before.stream()
                                .mapToDouble(s -> 100
                                        * old.get(w[0] + "/LRU_2/" + s + "/")
                                                .get("hitRate")
                                                .getAsDouble())
                                .toArray(),
                        Charts.BLUE,
                        SeriesMarkers.CROSS,
                        SeriesLines.DOT_DOT);
                Charts.line(
                        misses,
                        "LRU-2, before the fix",
                        xs,
                        before.stream()
                                .mapToDouble(s -> old.get(w[0] + "/LRU_2/" + s + "/")
                                        .get("missesPerGet")
                                        .getAsDouble())
                                .toArray(),
                        Charts.BLUE,
                        SeriesMarkers.CROSS,
                        SeriesLines.DOT_DOT);
            }
            top.add(hitRate);
            bottom.add(misses);
        }
        double lo = Math.floor(topLo / 5) * 5;
        for (int i = 0; i < WORKLOADS.length; i++) {
            XYChart h = top.get(i);
            XYChart m = bottom.get(i);
            h.getStyler().setYAxisMin(lo).setYAxisMax(100.5);
            m.getStyler().setYAxisMin(0.0).setYAxisMax(bottomHi * 1.05);
            for (XYChart c : List.of(h, m)) {
                double y0 = c == h ? lo : 0;
                double y1 = c == h ? 100.5 : bottomHi * 1.05;
                Charts.vline(
                        c, " internal", Math.log(internal) / Math.log(2), y0, y1, Charts.GRAY, SeriesLines.DOT_DOT);
                Charts.vline(c, " whole", Math.log(whole) / Math.log(2), y0, y1, Charts.GRAY, SeriesLines.DASH_DASH);
            }
            Charts.hline(
                    m,
                    " one",
                    1.0,
                    Math.log(sizes.first()) / Math.log(2),
                    Math.log(sizes.last()) / Math.log(2),
                    Color.BLACK,
                    Charts.THIN);
        }
        List<XYChart> all = new ArrayList<>(top);
        all.addAll(bottom);
        Charts.save(
                Charts.grid(
                        f(
                                "lab-04: buffer-pool hit rate against pool size, %,d-key B+tree (dotted: the %,d internal"
                                        + " pages; dashed: all %,d pages)",
                                d.get("keys").getAsLong(), internal, whole),
                        3,
                        560,
                        420,
                        all),
                out,
                "lab04-hit-rate.png",
                log);
        t.println();
    }

    private static void writeAmp(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        JsonObject d = Jmh.objectIfPresent(data, "lab04-write-amp.json");
        if (d == null) {
            return;
        }
        List<JsonObject> treeRows = new ArrayList<>();
        Map<String, JsonObject> lsm = new HashMap<>();
        for (JsonElement e : d.getAsJsonArray("rows")) {
            JsonObject r = e.getAsJsonObject();
            if (r.get("store").getAsString().equals("BPlusTree")) {
                treeRows.add(r);
            } else if (r.get("store").getAsString().equals("SortedLogStore")) {
                lsm.put(r.get("workload").getAsString(), r);
            }
        }
        TreeSet<Integer> intervals = new TreeSet<>();
        TreeSet<Integer> pools = new TreeSet<>();
        Map<String, JsonObject> by = new HashMap<>();
        for (JsonObject r : treeRows) {
            intervals.add(r.get("checkpointEvery").getAsInt());
            pools.add(r.get("poolFrames").getAsInt());
            by.put(
                    r.get("workload").getAsString() + "/" + r.get("poolFrames").getAsInt() + "/"
                            + r.get("checkpointEvery").getAsInt(),
                    r);
        }
        long updates = d.get("updates").getAsLong();
        long keys = d.get("keys").getAsLong();
        t.println(f(
                "## Write amplification: %,d overwrites of a %,d-key B+tree (disk bytes / user bytes, and page writes"
                        + " per update in brackets)",
                updates, keys));
        t.println();
        List<String> header = new ArrayList<>(List.of("workload", "pool"));
        intervals.forEach(i -> header.add(f("checkpoint every %,d", i)));
        t.println(Md.row(header));
        t.println("| --- | --- |" + " ---: |".repeat(intervals.size()));
        for (String w : List.of("uniform", "zipfian")) {
            for (int p : pools) {
                List<String> cells = new ArrayList<>(List.of(w, f("%,d frames (%d MiB)", p, p * 4 / 1024)));
                for (int i : intervals) {
                    JsonObject r = by.get(w + "/" + p + "/" + i);
                    cells.add(
                            r == null
                                    ? "-"
                                    : f(
                                            "%.1f (%.3f)",
                                            r.get("writeAmplification").getAsDouble(),
                                            r.get("pageWritesPerUpdate").getAsDouble()));
                }
                t.println(Md.row(cells));
            }
            if (lsm.containsKey(w)) {
                t.println(f(
                                "| %s | lab-01 store | %.1f (a sync forces the log; it writes nothing more) |",
                                w, lsm.get(w).get("writeAmplification").getAsDouble())
                        + " |".repeat(intervals.size() - 1));
            }
        }
        t.println();
        int page = 4096;
        t.println("Checkpoint overhead: bytes written besides the pool's page write-backs (page-table chunks and meta"
                + " pages), per checkpoint and as a share of all bytes written");
        t.println();
        t.println(
                "| workload | pool | checkpoint every | checkpoints | page write-backs | other bytes per checkpoint | share |");
        t.println("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        for (JsonObject r : treeRows) {
            double disk = r.get("diskBytesWritten").getAsDouble();
            long pageWrites = r.get("pageWrites").getAsLong();
            double other = disk - pageWrites * (double) page;
            long checkpoints = r.get("checkpoints").getAsLong();
            t.println(f(
                    "| %s | %,d | %,d | %,d | %,d | %,.0f KiB | %.1f%% |",
                    r.get("workload").getAsString(),
                    r.get("poolFrames").getAsInt(),
                    r.get("checkpointEvery").getAsInt(),
                    checkpoints,
                    pageWrites,
                    other / Math.max(1, checkpoints) / 1024,
                    100 * other / disk));
        }
        t.println();
        XYChart c = Charts.xy(
                1260,
                576,
                f("lab-04: write amplification of %,d overwrites, %,d-key tree", updates, keys),
                "updates between checkpoints (log scale)",
                "disk bytes written / user bytes written (log scale)");
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        Charts.logXLabels(c, 10, Charts::plain);
        double x0 = Math.log10(intervals.first());
        double x1 = Math.log10(intervals.last());
        for (String w : List.of("uniform", "zipfian")) {
            Color color = w.equals("uniform") ? Charts.RED : Charts.BLUE;
            for (int p : List.of(pools.first(), pools.last())) {
                List<Integer> present = intervals.stream()
                        .filter(i -> by.containsKey(w + "/" + p + "/" + i))
                        .toList();
                boolean small = p == pools.first();
                Charts.line(
                        c,
                        f("B+tree, %s, %d MiB pool", w, p * 4 / 1024),
                        Charts.log(
                                present.stream()
                                        .mapToDouble(Integer::doubleValue)
                                        .toArray(),
                                10),
                        present.stream()
                                .mapToDouble(i -> by.get(w + "/" + p + "/" + i)
                                        .get("writeAmplification")
                                        .getAsDouble())
                                .toArray(),
                        color,
                        small ? SeriesMarkers.CIRCLE : SeriesMarkers.SQUARE,
                        small ? SeriesLines.SOLID : SeriesLines.DASH_DASH);
            }
        }
        for (String w : List.of("uniform", "zipfian")) {
            if (lsm.containsKey(w)) {
                Charts.hline(
                        c,
                        "lab-01 store, " + w,
                        lsm.get(w).get("writeAmplification").getAsDouble(),
                        x0,
                        x1,
                        w.equals("uniform") ? Charts.RED : Charts.BLUE,
                        SeriesLines.DOT_DOT);
            }
        }
        int record = d.get("keyBytes").getAsInt() + d.get("valueBytes").getAsInt();
        Charts.hline(
                c, f("one 4 KiB page per %d-byte update", record), 4096.0 / record, x0, x1, Charts.GRAY, Charts.THIN);
        Charts.save(c, out, "lab04-write-amp.png", log);
        t.println();
    }
}
