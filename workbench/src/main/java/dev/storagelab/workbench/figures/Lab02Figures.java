package dev.storagelab.workbench.figures;

import static dev.storagelab.workbench.data.Md.f;
import static dev.storagelab.workbench.data.Md.fmt;

import com.google.gson.JsonObject;
import dev.storagelab.workbench.data.Csv;
import dev.storagelab.workbench.data.Jmh;
import dev.storagelab.workbench.data.Md;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * lab-02's figures (notes/02-bounds.md): merging k sources ({@code merge.json}, lab02-merge.png),
 * a scan against gets ({@code scan.json}, lab02-scan.png), the hash ring's lookup ({@code
 * ring.json}, lab02-ring.png), from JMH's results; and hot partitions ({@code hot-partitions.csv},
 * counts from the HotPartitions experiment, lab02-hot-partitions.png).
 */
final class Lab02Figures implements FigureFamily {

    @Override
    public void draw(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        merge(data, out, t, log);
        scan(data, out, t, log);
        ring(data, out, t, log);
        hotPartitions(data, out, t, log);
    }

    private static String millions(double x) {
        return f("%.1f", x / 1e6);
    }

    private static void merge(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        List<JsonObject> results = Jmh.resultsIfPresent(data, "merge.json");
        if (results == null) {
            return;
        }
        Map<String, Jmh.Summary> by = new HashMap<>();
        TreeSet<Integer> ks = new TreeSet<>();
        for (JsonObject r : results) {
            int k = Jmh.intParam(r, "k");
            ks.add(k);
            by.put(Jmh.method(r) + "/" + k, Jmh.summary(Jmh.primary(r)));
        }
        t.println("## Merge throughput against k (million entries/s, median [min, max] of the iterations; ratio heap"
                + " / stacked)");
        t.println();
        t.println("| k | MergingIterator (heap) | NewestWinsMerge.of (stacked) | heap / stacked |");
        t.println("| ---: | ---: | ---: | ---: |");
        for (int k : ks) {
            Jmh.Summary h = by.get("heapMerge/" + k);
            Jmh.Summary s = by.get("stackedTwoWayMerge/" + k);
            t.println(f(
                    "| %d | %s [%s, %s] | %s [%s, %s] | %.2f |",
                    k,
                    millions(h.median()),
                    millions(h.min()),
                    millions(h.max()),
                    millions(s.median()),
                    millions(s.min()),
                    millions(s.max()),
                    h.median() / s.median()));
        }
        t.println();
        double[] xs = Charts.log(ks.stream().mapToDouble(Integer::doubleValue).toArray(), 2);
        XYChart top = Charts.xy(
                840,
                540,
                "lab-02: merging k sorted sources (262,144 entries in total)",
                "sources merged (k)",
                "million entries/s (log scale)");
        top.getStyler().setYAxisLogarithmic(true);
        Charts.logXLabels(top, 2, Charts::plain);
        String[][] names = {
            {"heapMerge", "MergingIterator: one heap, O(log k) per entry"},
            {"stackedTwoWayMerge", "NewestWinsMerge.of: k-1 stacked two-way merges, O(k)"}
        };
        Marker[] markers = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE};
        for (int i = 0; i < names.length; i++) {
            String m = names[i][0];
            List<Jmh.Summary> ss = ks.stream().map(k -> by.get(m + "/" + k)).toList();
            double[] med = ss.stream().mapToDouble(s -> s.median() / 1e6).toArray();
            Charts.line(top, names[i][1], xs, med, Charts.PALETTE[i], markers[i], null);
            Charts.range(
                    top,
                    m,
                    xs,
                    ss.stream().mapToDouble(s -> s.min() / 1e6).toArray(),
                    ss.stream().mapToDouble(s -> s.max() / 1e6).toArray(),
                    Charts.PALETTE[i]);
        }
        double[] ratio = ks.stream()
                .mapToDouble(k -> by.get("heapMerge/" + k).median()
                        / by.get("stackedTwoWayMerge/" + k).median())
                .toArray();
        XYChart bottom = Charts.xy(840, 300, null, "sources merged (k)", "heap / stacked");
        bottom.getStyler().setLegendVisible(false);
        Charts.logXLabels(bottom, 2, Charts::plain);
        bottom.getStyler().setYAxisMin(0.0).setYAxisMax(Charts.max(ratio) * 1.15);
        Charts.line(bottom, "heap / stacked", xs, ratio, Charts.GREEN, SeriesMarkers.CIRCLE, null);
        Charts.hline(bottom, " 1", 1.0, xs[0], xs[xs.length - 1], Charts.GRAY, SeriesLines.DASH_DASH);
        Charts.save(stack(List.of(top, bottom)), out, "lab02-merge.png", log);
        t.println();
    }

    /** Charts one above the other, each at its own height, under no common title. */
    static java.awt.image.BufferedImage stack(List<XYChart> charts) {
        int width = charts.get(0).getWidth();
        int height = charts.stream().mapToInt(XYChart::getHeight).sum();
        java.awt.image.BufferedImage img =
                new java.awt.image.BufferedImage(width, height, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        int y = 0;
        for (XYChart c : charts) {
            java.awt.Graphics2D cell = (java.awt.Graphics2D) g.create(0, y, width, c.getHeight());
            c.paint(cell, width, c.getHeight());
            cell.dispose();
            y += c.getHeight();
        }
        g.dispose();
        return img;
    }

    private static final String[][] SCAN_METHODS = {
        {"pointGet", "one get", "1"},
        {"seekAndScan100", "seek + scan of 100", "100"},
        {"hundredGets", "100 gets", "100"},
        {"keysetPage100", "keyset page of 100", "100"},
    };

    private static void scan(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        List<JsonObject> results = Jmh.resultsIfPresent(data, "scan.json");
        if (results == null) {
            return;
        }
        record Cell(Jmh.Summary s, double blocks) {}
        Map<String, Cell> by = new HashMap<>();
        TreeSet<List<Integer>> configs = new TreeSet<>((a, b) ->
                a.get(0).equals(b.get(0)) ? Integer.compare(a.get(1), b.get(1)) : Integer.compare(a.get(0), b.get(0)));
        for (JsonObject r : results) {
            double blocks = Jmh.secondary(r, "blocksRead").get("score").getAsDouble()
                    / Jmh.secondary(r, "ops").get("score").getAsDouble();
            int keys = Jmh.intParam(r, "keys");
            int segs = Jmh.intParam(r, "segments");
            configs.add(List.of(keys, segs));
            by.put(Jmh.method(r) + "/" + keys + "/" + segs, new Cell(Jmh.summary(Jmh.primary(r)), blocks));
        }
        t.println("## Scan against gets (µs per operation, median [min, max]; blocks read per operation; µs per entry"
                + " returned)");
        t.println();
        t.println("| keys | segments | operation | µs per operation | blocks per operation | µs per entry |");
        t.println("| ---: | ---: | --- | ---: | ---: | ---: |");
        for (List<Integer> c : configs) {
            for (String[] m : SCAN_METHODS) {
                Cell cell = by.get(m[0] + "/" + c.get(0) + "/" + c.get(1));
                t.println(f(
                        "| %,d | %d | %s | %s | %.2f | %s |",
                        c.get(0),
                        c.get(1),
                        m[1],
                        Md.cell(cell.s()),
                        cell.blocks(),
                        fmt(cell.s().median() / Integer.parseInt(m[2]))));
            }
        }
        t.println();
        t.println("| keys | segments | 100 gets / (seek + scan of 100) | keyset page / (seek + scan) | (seek + scan of"
                + " 100) / one get | cursor decode + encode, µs |");
        t.println("| ---: | ---: | ---: | ---: | ---: | ---: |");
        for (List<Integer> c : configs) {
            String k = "/" + c.get(0) + "/" + c.get(1);
            double g = by.get("pointGet" + k).s().median();
            double sc = by.get("seekAndScan100" + k).s().median();
            double hg = by.get("hundredGets" + k).s().median();
            double kp = by.get("keysetPage100" + k).s().median();
            Cell cursor = by.get("cursorDecodeAndEncode" + k);
            t.println(f(
                    "| %,d | %d | %.1f | %.2f | %.1f | %s |",
                    c.get(0), c.get(1), hg / sc, kp / sc, sc / g, cursor == null ? "-" : Md.cell(cursor.s())));
        }
        t.println();
        CategoryChart chart = Charts.bars(
                960,
                576,
                "lab-02: 100 entries as one seek and a scan, or as 100 gets",
                null,
                "µs per operation (log scale)");
        List<List<Double>> all = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (String[] m : SCAN_METHODS) {
            labels.add(m[1]);
        }
        for (List<Integer> c : configs) {
            List<Double> med = new ArrayList<>();
            for (String[] m : SCAN_METHODS) {
                med.add(by.get(m[0] + "/" + c.get(0) + "/" + c.get(1)).s().median());
            }
            chart.addSeries(f("%,d keys, %d segment%s", c.get(0), c.get(1), c.get(1) > 1 ? "s" : ""), labels, med);
            all.add(med);
        }
        Charts.logBars(chart, all);
        Charts.save(chart, out, "lab02-scan.png", log);
        t.println();
    }

    private static void ring(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        List<JsonObject> results = Jmh.resultsIfPresent(data, "ring.json");
        if (results == null) {
            return;
        }
        Map<String, Jmh.Summary> by = new HashMap<>();
        TreeSet<Integer> nodes = new TreeSet<>();
        TreeSet<Integer> vnodes = new TreeSet<>();
        for (JsonObject r : results) {
            int n = Jmh.intParam(r, "nodes");
            int v = Jmh.intParam(r, "virtualNodes");
            nodes.add(n);
            vnodes.add(v);
            by.put(Jmh.method(r) + "/" + n + "/" + v, Jmh.summary(Jmh.primary(r)));
        }
        t.println("## HashRing.owner (ns per lookup, median [min, max]); the key's hash alone; ring positions");
        t.println();
        t.println("| nodes | virtual nodes | positions | owner | hash only | owner - hash |");
        t.println("| ---: | ---: | ---: | ---: | ---: | ---: |");
        for (int n : nodes) {
            for (int v : vnodes) {
                Jmh.Summary o = by.get("owner/" + n + "/" + v);
                Jmh.Summary h = by.get("hashOnly/" + n + "/" + v);
                t.println(f(
                        "| %,d | %d | %,d | %s | %s | %s |",
                        n, v, n * v, Md.cell(o), fmt(h.median()), fmt(o.median() - h.median())));
            }
        }
        t.println();
        double[] xs =
                Charts.log(nodes.stream().mapToDouble(Integer::doubleValue).toArray(), 10);
        XYChart c = Charts.xy(840, 540, "lab-02: consistent-hash ring lookup", "nodes on the ring", "ns per lookup");
        c.getStyler().setYAxisMin(0.0);
        Charts.logXLabels(c, 10, Charts::plain);
        int i = 0;
        for (int v : vnodes) {
            List<Jmh.Summary> ss =
                    nodes.stream().map(n -> by.get("owner/" + n + "/" + v)).toList();
            Color color = Charts.PALETTE[i];
            Charts.line(
                    c,
                    f("owner, %d virtual nodes per node", v),
                    xs,
                    Lab01Figures.medians(ss),
                    color,
                    Charts.MARKERS[i],
                    null);
            Charts.range(c, "owner " + v, xs, Lab01Figures.mins(ss), Lab01Figures.maxs(ss), color);
            i++;
        }
        double[] hash = nodes.stream()
                .mapToDouble(n -> Jmh.median(vnodes.stream()
                        .map(v -> by.get("hashOnly/" + n + "/" + v).median())
                        .toList()))
                .toArray();
        Charts.line(c, "hashing the key alone (murmur3)", xs, hash, Charts.GRAY, null, SeriesLines.DASH_DASH);
        Charts.save(c, out, "lab02-ring.png", log);
        t.println();
    }

    private static final Map<String, Object[]> SCHEMES = new LinkedHashMap<>();

    static {
        SCHEMES.put(
                "range", new Object[] {"by key range (equal data per partition)", SeriesMarkers.CIRCLE, Charts.BLUE});
        SCHEMES.put(
                "ring-author-v1",
                new Object[] {"ring by author, 1 virtual node", SeriesMarkers.TRIANGLE_DOWN, Charts.RED});
        SCHEMES.put(
                "ring-author-v100",
                new Object[] {"ring by author, 100 virtual nodes", SeriesMarkers.TRIANGLE_UP, Charts.ORANGE});
        SCHEMES.put(
                "ring-post-v100",
                new Object[] {"ring by post key, 100 virtual nodes", SeriesMarkers.SQUARE, Charts.GREEN});
    }

    private static void hotPartitions(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        Path path = data.resolve("hot-partitions.csv");
        if (!Files.isRegularFile(path)) {
            return;
        }
        List<Map<String, String>> rows = Csv.read(path);
        Map<String, Map<String, String>> by = new HashMap<>();
        TreeSet<Double> exponents = new TreeSet<>();
        for (Map<String, String> r : rows) {
            double e = Double.parseDouble(r.get("zipf_exponent"));
            exponents.add(e);
            by.put(r.get("scheme") + "/" + e, r);
        }
        int partitions = Integer.parseInt(rows.get(0).get("partitions"));
        t.println(f(
                "## Hot partitions: the busiest of %d partitions' share of the posts read, mean [min, max] over the"
                        + " ring's placements; then its share of the posts stored, and partitions per page",
                partitions));
        t.println();
        List<String> header = new ArrayList<>(List.of("Zipf s", "most read author"));
        SCHEMES.values().forEach(s -> header.add((String) s[0]));
        t.println(Md.row(header));
        t.println("| ---: | ---: |" + " ---: |".repeat(SCHEMES.size()));
        for (double e : exponents) {
            List<String> cells = new ArrayList<>();
            cells.add(f("%.1f", e));
            cells.add(f("%.2f%%", 100 * d(by.get("range/" + e), "top_author_read_share")));
            for (String s : SCHEMES.keySet()) {
                Map<String, String> r = by.get(s + "/" + e);
                cells.add(f(
                        "%.1f%% [%.1f, %.1f]",
                        100 * d(r, "busiest_read_share"),
                        100 * d(r, "busiest_read_share_min"),
                        100 * d(r, "busiest_read_share_max")));
            }
            t.println(Md.row(cells));
        }
        t.println();
        double[] xs = exponents.stream().mapToDouble(Double::doubleValue).toArray();
        XYChart top = Charts.xy(
                840,
                600,
                f("lab-02: hot partitions, %d partitions, keyset pages over a Zipfian feed", partitions),
                "Zipf exponent s of the authors (0: uniform)",
                "busiest partition's share of the reads (%)");
        top.getStyler().setYAxisMin(0.0);
        XYChart bottom =
                Charts.xy(840, 300, null, "Zipf exponent s of the authors (0: uniform)", "partitions a page reads");
        bottom.getStyler().setYAxisMin(0.0).setLegendVisible(false);
        for (var s : SCHEMES.entrySet()) {
            String label = (String) s.getValue()[0];
            Marker marker = (Marker) s.getValue()[1];
            Color color = (Color) s.getValue()[2];
            double[] med = exponents.stream()
                    .mapToDouble(e -> 100 * d(by.get(s.getKey() + "/" + e), "busiest_read_share"))
                    .toArray();
            Charts.line(top, label, xs, med, color, marker, null);
            Charts.range(
                    top,
                    s.getKey(),
                    xs,
                    exponents.stream()
                            .mapToDouble(e -> 100 * d(by.get(s.getKey() + "/" + e), "busiest_read_share_min"))
                            .toArray(),
                    exponents.stream()
                            .mapToDouble(e -> 100 * d(by.get(s.getKey() + "/" + e), "busiest_read_share_max"))
                            .toArray(),
                    color);
            Charts.line(
                    bottom,
                    label,
                    xs,
                    exponents.stream()
                            .mapToDouble(e -> d(by.get(s.getKey() + "/" + e), "partitions_per_page"))
                            .toArray(),
                    color,
                    marker,
                    null);
        }
        Charts.line(
                top,
                "the most read author alone",
                xs,
                exponents.stream()
                        .mapToDouble(e -> 100 * d(by.get("range/" + e), "top_author_read_share"))
                        .toArray(),
                Color.BLACK,
                null,
                SeriesLines.DASH_DASH);
        Charts.hline(
                top,
                "fair share, 1/" + partitions,
                100.0 / partitions,
                xs[0],
                xs[xs.length - 1],
                Charts.GRAY,
                SeriesLines.DOT_DOT);
        Charts.save(stack(List.of(top, bottom)), out, "lab02-hot-partitions.png", log);
        t.println();
    }

    private static double d(Map<String, String> row, String column) {
        return Double.parseDouble(row.get(column));
    }
}
