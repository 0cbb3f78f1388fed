package dev.storagelab.workbench.figures;

import static dev.storagelab.workbench.data.Md.f;

import com.google.gson.JsonObject;
import dev.storagelab.workbench.data.Jmh;
import dev.storagelab.workbench.data.Md;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * lab-03's figures (notes/03-bst.md) from JMH's results: the ordered maps against the JDK's
 * ({@code lab03-ordered-maps.json}, lab03-ordered-maps.png), a plain BST degenerating on sorted
 * input ({@code lab03-degeneration.json}, lab03-degeneration.png), and the memtables' table
 * ({@code lab03-memtable.json}). Times per key come from the benchmarks' {@code keyOps} counter,
 * heights from the {@code height} and {@code builds} counters.
 */
final class Lab03Figures implements FigureFamily {

    private static final List<String> MAP_IMPLS =
            List.of("AvlMap", "TreeMap", "SkipListMap", "ConcurrentSkipListMap", "BstMap");
    private static final String[][] MAP_OPS = {
        {"put", "put (build from random order)"}, {"get", "get (random order)"}, {"iterate", "iterate (per entry)"}
    };
    private static final String[][] RATIOS = {
        {"AvlMap", "TreeMap"}, {"SkipListMap", "ConcurrentSkipListMap"}, {"BstMap", "TreeMap"}
    };

    @Override
    public void draw(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        orderedMaps(data, out, t, log);
        degeneration(data, out, t, log);
        memtable(data, t);
    }

    private static void orderedMaps(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        List<JsonObject> results = Jmh.resultsIfPresent(data, "lab03-ordered-maps.json");
        if (results == null) {
            return;
        }
        Map<String, Jmh.Summary> by = new HashMap<>();
        TreeSet<Integer> keys = new TreeSet<>();
        for (JsonObject r : results) {
            keys.add(Jmh.intParam(r, "keys"));
            by.put(Jmh.method(r) + "/" + Jmh.param(r, "impl"), Jmh.summary(Jmh.secondary(r, "keyOps")));
        }
        List<String> impls = MAP_IMPLS.stream()
                .filter(i -> by.keySet().stream().anyMatch(k -> k.endsWith("/" + i)))
                .toList();
        List<String[]> ops = new ArrayList<>();
        for (String[] op : MAP_OPS) {
            if (by.keySet().stream().anyMatch(k -> k.startsWith(op[0] + "/"))) {
                ops.add(op);
            }
        }
        String n = keys.stream().map(k -> f("%,d", k)).collect(Collectors.joining(", "));
        t.println("## Ordered maps, " + n + " keys of 16 bytes (ns per key, median [min, max] of the iterations)");
        t.println();
        List<String> header = new ArrayList<>(List.of("operation"));
        header.addAll(impls);
        t.println(Md.row(header));
        t.println(Md.rule(1, impls.size()));
        for (String[] op : ops) {
            List<String> cells = new ArrayList<>(List.of(op[1]));
            for (String i : impls) {
                Jmh.Summary s = by.get(op[0] + "/" + i);
                cells.add(s == null ? "-" : Md.cell(s));
            }
            t.println(Md.row(cells));
        }
        t.println();
        List<String> ratioHeader = new ArrayList<>(List.of("operation"));
        for (String[] r : RATIOS) {
            ratioHeader.add(r[0] + " / " + r[1]);
        }
        t.println(Md.row(ratioHeader));
        t.println(Md.rule(1, RATIOS.length));
        for (String[] op : ops) {
            List<String> cells = new ArrayList<>(List.of(op[1]));
            for (String[] r : RATIOS) {
                Jmh.Summary a = by.get(op[0] + "/" + r[0]);
                Jmh.Summary b = by.get(op[0] + "/" + r[1]);
                cells.add(a != null && b != null ? f("%.2f", a.median() / b.median()) : "-");
            }
            t.println(Md.row(cells));
        }
        t.println();
        CategoryChart c = Charts.bars(
                1080,
                576,
                "lab-03: ordered maps against the JDK's, " + n + " keys (TreeMap and ConcurrentSkipListMap: the JDK's)",
                null,
                "ns per key (log scale)");
        c.getStyler().setLabelsVisible(true);
        c.getStyler().setLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 9));
        c.getStyler().setLabelsPosition(0.95);
        c.getStyler().setLabelsFontColorAutomaticEnabled(false);
        c.getStyler().setLabelsFontColor(Color.DARK_GRAY);
        c.getStyler().setYAxisDecimalPattern("#,##0");
        List<String> labels = ops.stream().map(op -> op[1]).toList();
        List<List<Double>> all = new ArrayList<>();
        for (String impl : impls) {
            List<Double> med = new ArrayList<>();
            for (String[] op : ops) {
                Jmh.Summary s = by.get(op[0] + "/" + impl);
                med.add(s == null ? null : s.median());
            }
            c.addSeries(impl, labels, med);
            all.add(med);
        }
        Charts.logBars(c, all);
        Charts.save(c, out, "lab03-ordered-maps.png", log);
        t.println();
    }

    private record Series(String impl, String order, Marker marker, Color color, String label) {}

    private static final List<Series> DEGENERATION = List.of(
            new Series("BstMap", "sorted", SeriesMarkers.SQUARE, Charts.RED, "BstMap, sorted input"),
            new Series("BstMap", "random", SeriesMarkers.CIRCLE, Charts.ORANGE, "BstMap, random input"),
            new Series("AvlMap", "sorted", SeriesMarkers.TRIANGLE_UP, Charts.BLUE, "AvlMap, sorted input"),
            new Series("AvlMap", "random", SeriesMarkers.TRIANGLE_DOWN, Charts.CYAN, "AvlMap, random input"));

    private static void degeneration(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        List<JsonObject> results = Jmh.resultsIfPresent(data, "lab03-degeneration.json");
        if (results == null) {
            return;
        }
        record Point(Jmh.Summary s, double height) {}
        Map<String, Point> by = new HashMap<>();
        TreeSet<Integer> ns = new TreeSet<>();
        String unit = null;
        for (JsonObject r : results) {
            double height = Jmh.secondary(r, "height").get("score").getAsDouble()
                    / Jmh.secondary(r, "builds").get("score").getAsDouble();
            int k = Jmh.intParam(r, "keys");
            ns.add(k);
            Jmh.Summary s = Jmh.summary(Jmh.primary(r));
            unit = unit == null ? s.unit() : unit;
            by.put(Jmh.param(r, "impl") + "/" + Jmh.param(r, "order") + "/" + k, new Point(s, height));
        }
        List<Series> series = DEGENERATION.stream()
                .filter(s -> ns.stream().anyMatch(k -> by.containsKey(s.impl() + "/" + s.order() + "/" + k)))
                .toList();
        t.println("## Building a tree from n keys: time per build (" + unit
                + ", median [min, max]) and the tree's height");
        t.println();
        List<String> header = new ArrayList<>(List.of("n"));
        series.forEach(s -> header.add(s.label() + ": time | height"));
        t.println(Md.row(header));
        t.println("| ---: |" + " ---: | ---: |".repeat(series.size()));
        for (int k : ns) {
            List<String> cells = new ArrayList<>(List.of(f("%,d", k)));
            for (Series s : series) {
                Point p = by.get(s.impl() + "/" + s.order() + "/" + k);
                cells.add(p == null ? "- | -" : Md.cell(p.s()) + " | " + f("%,.0f", p.height()));
            }
            t.println(Md.row(cells));
        }
        t.println();
        String u = unit.split("/")[0].replace("us", "µs");
        XYChart time = Charts.xy(
                660,
                550,
                "build time: n²/2 comparisons for a sorted BST",
                "keys inserted (n)",
                "time per build, " + u + " (log scale)");
        XYChart height = Charts.xy(
                660,
                550,
                "height: n for a sorted BST, ~log n otherwise",
                "keys inserted (n)",
                "tree height (log scale)");
        for (XYChart c : List.of(time, height)) {
            c.getStyler().setYAxisLogarithmic(true);
            Charts.logXLabels(c, 10, Charts::plain);
        }
        for (Series s : series) {
            List<Integer> present = ns.stream()
                    .filter(k -> by.containsKey(s.impl() + "/" + s.order() + "/" + k))
                    .toList();
            double[] xs = Charts.log(
                    present.stream().mapToDouble(Integer::doubleValue).toArray(), 10);
            List<Jmh.Summary> ss = present.stream()
                    .map(k -> by.get(s.impl() + "/" + s.order() + "/" + k).s())
                    .toList();
            Charts.line(time, s.label(), xs, Lab01Figures.medians(ss), s.color(), s.marker(), null);
            Charts.range(time, s.label(), xs, Lab01Figures.mins(ss), Lab01Figures.maxs(ss), s.color());
            Charts.line(
                    height,
                    s.label(),
                    xs,
                    present.stream()
                            .mapToDouble(k ->
                                    by.get(s.impl() + "/" + s.order() + "/" + k).height())
                            .toArray(),
                    s.color(),
                    s.marker(),
                    null);
        }
        double[] all = ns.stream().mapToDouble(Integer::doubleValue).toArray();
        Charts.line(height, "n", Charts.log(all, 10), all, Charts.GRAY, null, SeriesLines.DASH_DASH);
        Charts.save(
                Charts.grid(
                        "lab-03: a plain BST degenerates on sorted input; the AVL tree does not",
                        2,
                        660,
                        550,
                        List.of(time, height)),
                out,
                "lab03-degeneration.png",
                log);
        t.println();
    }

    private static final List<String> MEMTABLE_IMPLS = List.of("SkipListMemtable", "ConcurrentSkipListMemtable");

    private static void memtable(Path data, PrintStream t) throws IOException {
        List<JsonObject> results = Jmh.resultsIfPresent(data, "lab03-memtable.json");
        if (results == null) {
            return;
        }
        Map<String, Jmh.Summary> by = new HashMap<>();
        TreeSet<Integer> keys = new TreeSet<>();
        for (JsonObject r : results) {
            keys.add(Jmh.intParam(r, "keys"));
            String impl = Jmh.param(r, "impl");
            if (Jmh.method(r).equals("readWhileWrite")) {
                by.put("writer/" + impl, Jmh.summary(Jmh.secondary(r, "writer")));
                by.put("reader/" + impl, Jmh.summary(Jmh.secondary(r, "reader")));
            } else {
                by.put(Jmh.method(r) + "/" + impl, Jmh.summary(Jmh.secondary(r, "keyOps")));
            }
        }
        String[][] rows = {
            {"apply", "apply (fresh memtable)"},
            {"get", "get (random order)"},
            {"scan", "ascending scan (per entry)"},
            {"writer", "apply, while a reader reads"},
            {"reader", "get, while a writer applies"},
        };
        List<String> impls = MEMTABLE_IMPLS.stream()
                .filter(i -> by.keySet().stream().anyMatch(k -> k.endsWith("/" + i)))
                .toList();
        String n = keys.stream().map(k -> f("%,d", k)).collect(Collectors.joining(", "));
        t.println("## Memtables, " + n + " entries (16-byte keys, 100-byte values; ns per entry, median [min, max])");
        t.println();
        List<String> header = new ArrayList<>(List.of("operation"));
        header.addAll(impls);
        header.add("SkipListMemtable / ConcurrentSkipListMemtable");
        t.println(Md.row(header));
        t.println(Md.rule(1, impls.size() + 1));
        for (String[] row : rows) {
            if (impls.stream().noneMatch(i -> by.containsKey(row[0] + "/" + i))) {
                continue;
            }
            List<String> cells = new ArrayList<>(List.of(row[1]));
            for (String i : impls) {
                Jmh.Summary s = by.get(row[0] + "/" + i);
                cells.add(s == null ? "-" : Md.cell(s));
            }
            Jmh.Summary a = by.get(row[0] + "/SkipListMemtable");
            Jmh.Summary b = by.get(row[0] + "/ConcurrentSkipListMemtable");
            cells.add(a != null && b != null ? f("%.2f", a.median() / b.median()) : "-");
            t.println(Md.row(cells));
        }
        t.println();
    }
}
