package dev.storagelab.workbench.figures;

import dev.storagelab.workbench.data.Csv;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * lab-05's figures (notes/05-lsm.md) from what {@code dev.storagelab.lsm.bench.LsmFigures} wrote to
 * {@code notes/data/lab05}: the Bloom filter's false-positive rate against bits per key
 * ({@code bloom-fp.csv}, lab05-bloom.png), read amplification as level 0 grows ({@code
 * l0-read-amp.csv}, lab05-l0-read-amp.png), and get latency around a compaction ({@code
 * compaction-p99.csv}, lab05-compaction-p99.png).
 */
final class Lab05Figures implements FigureFamily {

    @Override
    public void draw(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        Path dir = data.resolve("lab05");
        bloom(dir, out, log);
        levelZero(dir, out, log);
        compaction(dir, out, log);
    }

    static double[] column(List<Map<String, String>> rows, ToDoubleFunction<Map<String, String>> f) {
        return rows.stream().mapToDouble(f).toArray();
    }

    static double[] column(List<Map<String, String>> rows, String name, double scale) {
        return column(rows, r -> scale * Double.parseDouble(r.get(name)));
    }

    private static void bloom(Path dir, Path out, PrintStream log) throws IOException {
        Path csv = dir.resolve("bloom-fp.csv");
        if (!Files.isRegularFile(csv)) {
            return;
        }
        List<Map<String, String>> r = Csv.read(csv);
        double[] bits = column(r, "bits_per_key", 1);
        XYChart c = Charts.xy(
                840,
                504,
                "lab-05 Bloom filter: false positives against bits per key",
                "bits per key (b)",
                "false-positive rate (%)");
        c.getStyler()
                .setYAxisLogarithmic(true)
                .setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        Charts.line(
                c,
                "measured (100k keys added, 1M absent probed)",
                bits,
                column(r, "measured_fp", 100),
                Charts.BLUE,
                SeriesMarkers.CIRCLE,
                SeriesLines.NONE);
        Charts.line(
                c,
                "theory (1 - e^(-k/b))^k at the filter's k",
                bits,
                column(r, "theory_fp", 100),
                Charts.ORANGE,
                null,
                null);
        Charts.line(
                c,
                "optimum 0.6185^b (k not rounded)",
                bits,
                column(r, "optimal_fp", 100),
                Charts.GRAY,
                null,
                SeriesLines.DOT_DOT);
        double[] fp = column(r, "measured_fp", 100);
        Charts.vline(c, " ten bits", 10, Charts.min(fp), Charts.max(fp), new java.awt.Color(0xd9d9d9), Charts.THIN);
        Charts.save(c, out, "lab05-bloom.png", log);
    }

    private static void levelZero(Path dir, Path out, PrintStream log) throws IOException {
        Path csv = dir.resolve("l0-read-amp.csv");
        if (!Files.isRegularFile(csv)) {
            return;
        }
        List<Map<String, String>> r = Csv.read(csv);
        double[] n = column(r, "l0_tables", 1);
        XYChart c = Charts.xy(
                840,
                504,
                "lab-05 read amplification as level 0 grows",
                "tables in level 0 (compaction held off)",
                "per get");
        c.getStyler().setMarkerSize(4);
        Charts.line(
                c,
                "absent key: tables consulted (= block reads without filters)",
                n,
                column(r, "absent_tables_per_get", 1),
                Charts.RED,
                null,
                null);
        Charts.line(
                c,
                "present key: tables consulted",
                n,
                column(r, "present_tables_per_get", 1),
                Charts.ORANGE,
                null,
                null);
        Charts.line(
                c,
                "present key: data blocks read, 10-bit filters",
                n,
                column(r, "present_blocks_per_get", 1),
                Charts.BLUE,
                SeriesMarkers.CIRCLE,
                null);
        Charts.line(
                c,
                "absent key: data blocks read, 10-bit filters",
                n,
                column(r, "absent_blocks_per_get", 1),
                Charts.GREEN,
                SeriesMarkers.CIRCLE,
                null);
        Charts.save(c, out, "lab05-l0-read-amp.png", log);
    }

    private static void compaction(Path dir, Path out, PrintStream log) throws IOException {
        Path csv = dir.resolve("compaction-p99.csv");
        if (!Files.isRegularFile(csv)) {
            return;
        }
        List<Map<String, String>> r = Csv.read(csv);
        double[] t = column(r, "t_ms", 1 / 1000.0);
        double[] p99 = column(r, "p99_us", 1);
        double[] p50 = column(r, "p50_us", 1);
        XYChart c = Charts.xy(
                840,
                504,
                "lab-05 get latency while 48 level-0 flushes are compacted",
                "seconds (100 ms windows, after 3 s of warm-up)",
                "latency (µs)");
        c.getStyler().setYAxisLogarithmic(true);
        double[] during = r.stream()
                .filter(x -> x.get("phase").equals("during"))
                .mapToDouble(x -> Double.parseDouble(x.get("t_ms")) / 1000)
                .toArray();
        if (during.length > 0) {
            double lo = Math.min(Charts.min(p50), Charts.min(p99));
            double hi = Math.max(Charts.max(p50), Charts.max(p99));
            java.awt.Color shade = new java.awt.Color(0xb0b0b0);
            Charts.vline(c, "compactAll running (from, to)", Charts.min(during), lo, hi, shade, SeriesLines.DASH_DASH);
            Charts.vline(c, " end", Charts.max(during) + 0.1, lo, hi, shade, SeriesLines.DASH_DASH);
        }
        Charts.line(c, "get p99", t, p99, Charts.RED, null, null);
        Charts.line(c, "get p50", t, p50, Charts.BLUE, null, null);
        Charts.save(c, out, "lab05-compaction-p99.png", log);
    }
}
