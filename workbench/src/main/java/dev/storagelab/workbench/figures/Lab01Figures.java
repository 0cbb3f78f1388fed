package dev.storagelab.workbench.figures;

import static dev.storagelab.workbench.data.Md.f;
import static dev.storagelab.workbench.data.Md.fmt;

import com.google.gson.JsonObject;
import dev.storagelab.workbench.data.Jmh;
import dev.storagelab.workbench.data.Md;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * lab-01's figures (notes/01-binary-search.md) from JMH's results in {@code notes/data}: reopen time
 * against data size ({@code reopen.json}, lab01-reopen.png), a segment lookup against the block
 * size ({@code segment-lookup.json}, lab01-segment-lookup.png), and the binary search's table
 * against the JDK's ({@code binary-search.json}). Each point is the median of the measurement
 * iterations, with the fastest and the slowest beside it.
 */
final class Lab01Figures implements FigureFamily {

    @Override
    public void draw(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        reopen(data, out, t, log);
        segmentLookup(data, out, t, log);
        binarySearch(data, t);
    }

    private static void reopen(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        List<JsonObject> results = Jmh.resultsIfPresent(data, "reopen.json");
        if (results == null) {
            return;
        }
        Map<String, TreeMap<Integer, Jmh.Summary>> series = new TreeMap<>();
        for (JsonObject r : results) {
            series.computeIfAbsent(Jmh.method(r), k -> new TreeMap<>())
                    .put(Jmh.intParam(r, "records"), Jmh.summary(Jmh.primary(r)));
        }
        Map<String, String> labels = Map.of(
                "hashIndexLogReopen", "HashIndexLog (scan the log, rebuild the hash index)",
                "sortedLogStoreReopen", "SortedLogStore (read footer and sparse index)");
        t.println("## Reopen time (ms per open + close): median [min, max] of the iterations; JMH mean ± 99.9% CI");
        t.println();
        t.println("| records | store | median | min | max | mean ± error | iterations |");
        t.println("| ---: | --- | ---: | ---: | ---: | --- | ---: |");
        XYChart c = Charts.xy(
                840,
                540,
                "lab-01: reopen time against data size",
                "records in the store (16-byte keys, 100-byte values)",
                "reopen time, ms (log scale)");
        c.getStyler().setYAxisLogarithmic(true);
        Charts.logXLabels(c, 10, Charts::plain);
        int i = 0;
        for (var e : series.entrySet()) {
            String name = e.getKey();
            double[] xs = Charts.log(
                    e.getValue().keySet().stream()
                            .mapToDouble(Integer::doubleValue)
                            .toArray(),
                    10);
            List<Jmh.Summary> ss = new ArrayList<>(e.getValue().values());
            java.awt.Color color = Charts.PALETTE[i++];
            Charts.line(c, labels.getOrDefault(name, name), xs, medians(ss), color, SeriesMarkers.CIRCLE, null);
            Charts.range(c, name, xs, mins(ss), maxs(ss), color);
            for (var p : e.getValue().entrySet()) {
                Jmh.Summary s = p.getValue();
                t.println(f(
                        "| %,d | %s | %s | %s | %s | %s ± %s | %d |",
                        p.getKey(),
                        name.replace("Reopen", ""),
                        fmt(s.median()),
                        fmt(s.min()),
                        fmt(s.max()),
                        fmt(s.mean()),
                        fmt(s.error()),
                        s.n()));
            }
        }
        t.println();
        Charts.save(c, out, "lab01-reopen.png", log);
        t.println();
    }

    private static void segmentLookup(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        List<JsonObject> results = Jmh.resultsIfPresent(data, "segment-lookup.json");
        if (results == null) {
            return;
        }
        record Row(int blockSize, Jmh.Summary s, double blocks, double bytes) {}
        List<Row> rows = new ArrayList<>();
        for (JsonObject r : results) {
            double lookups = Jmh.secondary(r, "lookups").get("score").getAsDouble();
            rows.add(new Row(
                    Jmh.intParam(r, "blockSize"),
                    Jmh.summary(Jmh.primary(r)),
                    Jmh.secondary(r, "blocksRead").get("score").getAsDouble() / lookups,
                    Jmh.secondary(r, "bytesRead").get("score").getAsDouble() / lookups));
        }
        rows.sort(java.util.Comparator.comparingInt(Row::blockSize));
        t.println("## SegmentReader.get against block size (ns per lookup; blocks and bytes read per lookup from the"
                + " counters)");
        t.println();
        t.println("| block size | median ns | min | max | mean ± error | blocks/lookup | bytes/lookup |");
        t.println("| ---: | ---: | ---: | ---: | --- | ---: | ---: |");
        for (Row r : rows) {
            Jmh.Summary s = r.s();
            t.println(f(
                    "| %,d | %s | %s | %s | %s ± %s | %.3f | %,.0f |",
                    r.blockSize(),
                    fmt(s.median()),
                    fmt(s.min()),
                    fmt(s.max()),
                    fmt(s.mean()),
                    fmt(s.error()),
                    r.blocks(),
                    r.bytes()));
        }
        t.println();
        double[] xs = Charts.log(rows.stream().mapToDouble(Row::blockSize).toArray(), 2);
        double[] med = rows.stream().mapToDouble(r -> r.s().median() / 1000).toArray();
        XYChart c = Charts.xy(
                840,
                540,
                "lab-01: SegmentReader.get against block size (one block read per lookup)",
                "target block size",
                "time per lookup, µs (log scale)");
        c.getStyler().setYAxisLogarithmic(true);
        Charts.logXLabels(c, 2, x -> x >= 1024 ? Md.g(x / 1024) + " KiB" : Md.g(x) + " B");
        c.getStyler().setYAxisGroupPosition(1, org.knowm.xchart.style.Styler.YAxisPosition.Right);
        c.setYAxisGroupTitle(1, "bytes read per lookup (log scale)");
        Charts.line(c, "time per lookup (µs)", xs, med, Charts.BLUE, SeriesMarkers.CIRCLE, null);
        Charts.range(
                c,
                "time per lookup",
                xs,
                rows.stream().mapToDouble(r -> r.s().min() / 1000).toArray(),
                rows.stream().mapToDouble(r -> r.s().max() / 1000).toArray(),
                Charts.BLUE);
        XYSeries bytes = Charts.line(
                c,
                "bytes read per lookup (right axis)",
                xs,
                rows.stream().mapToDouble(Row::bytes).toArray(),
                Charts.ORANGE,
                SeriesMarkers.SQUARE,
                SeriesLines.DASH_DASH);
        bytes.setYAxisGroup(1);
        Charts.save(c, out, "lab01-segment-lookup.png", log);
        t.println();
    }

    private static void binarySearch(Path data, PrintStream t) throws IOException {
        List<JsonObject> results = Jmh.resultsIfPresent(data, "binary-search.json");
        if (results == null) {
            return;
        }
        Map<String, Jmh.Summary> by = new java.util.HashMap<>();
        java.util.TreeSet<Integer> sizes = new java.util.TreeSet<>();
        for (JsonObject r : results) {
            int size = Jmh.intParam(r, "size");
            sizes.add(size);
            by.put(Jmh.method(r) + "/" + size, Jmh.summary(Jmh.primary(r)));
        }
        t.println("## BinarySearch.indexOf against the JDK (ns per search, median of iterations; ratio lab / JDK)");
        t.println();
        t.println("| size | int[]: lab | int[]: JDK | ratio | List<Bytes>: lab | List<Bytes>: JDK | ratio |");
        t.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (int size : sizes) {
            double li = by.get("labIntArray/" + size).median();
            double ji = by.get("jdkIntArray/" + size).median();
            double lk = by.get("labKeyList/" + size).median();
            double jk = by.get("jdkKeyList/" + size).median();
            t.println(f(
                    "| %,d | %s | %s | %.2f | %s | %s | %.2f |",
                    size, fmt(li), fmt(ji), li / ji, fmt(lk), fmt(jk), lk / jk));
        }
        t.println();
    }

    static double[] medians(List<Jmh.Summary> ss) {
        return ss.stream().mapToDouble(Jmh.Summary::median).toArray();
    }

    static double[] mins(List<Jmh.Summary> ss) {
        return ss.stream().mapToDouble(Jmh.Summary::min).toArray();
    }

    static double[] maxs(List<Jmh.Summary> ss) {
        return ss.stream().mapToDouble(Jmh.Summary::max).toArray();
    }
}
