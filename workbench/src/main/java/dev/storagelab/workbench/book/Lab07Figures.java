package dev.storagelab.workbench.book;

import static dev.storagelab.workbench.book.Md.f;

import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * lab-07's figures (notes/07-hybrid.md) from {@code notes/data/lab07}: the caches' hit rates
 * ({@code cache-hit-rates.csv} from HitRateSimulation: lab07-cache-hit-rates.png), the planner's
 * crossover ({@code planner-crossover-sweep.csv} and {@code -held.csv} from PlannerCrossover:
 * lab07-planner-crossover.png), the auto-tuner ({@code tuning-knobs.csv} and
 * {@code tuning-throughput.csv} from TuningFigure: lab07-tuning.png) and a simulated week ({@code
 * week.csv} from WeekSimulation: lab07-week.png). The arena's crossover maps are {@link CrossoverFigures}.
 */
final class Lab07Figures implements FigureFamily {

    @Override
    public void draw(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        Path dir = data.resolve("lab07");
        cache(dir, out, t, log);
        planner(dir, "planner-crossover", "lab07-planner-crossover.png", out, t, log);
        tuning(dir, out, log);
        week(dir, out, t, log);
    }

    private static final List<String> CACHE_WORKLOADS = List.of("zipfian", "scan-polluted", "shifting");
    private static final Map<String, String> CACHE_TITLES = Map.of(
            "zipfian", "Zipfian (0.99, 10,000 keys)",
            "scan-polluted", "scan-polluted (a 2,000-key scan after every 8,000 Zipfian references)",
            "shifting", "shifting (the popular keys change every 100,000 references)");

    private static void cache(Path dir, Path out, PrintStream t, PrintStream log) throws IOException {
        Path csv = dir.resolve("cache-hit-rates.csv");
        if (!Files.isRegularFile(csv)) {
            return;
        }
        Map<String, Double> rates = new HashMap<>();
        TreeSet<Integer> sizes = new TreeSet<>();
        for (Map<String, String> r : Csv.read(csv)) {
            int size = Integer.parseInt(r.get("cache_entries"));
            sizes.add(size);
            rates.put(r.get("workload") + "/" + r.get("policy") + "/" + size, Double.parseDouble(r.get("hit_rate")));
        }
        List<XYChart> panels = new ArrayList<>();
        double[] xs =
                Charts.log(sizes.stream().mapToDouble(Integer::doubleValue).toArray(), 10);
        for (String w : CACHE_WORKLOADS) {
            t.println();
            t.println(w);
            t.println();
            t.println("| entries | ARC | LRU | LFU | ARC - max(LRU, LFU) |");
            t.println("|---:|---:|---:|---:|---:|");
            for (int s : sizes) {
                double arc = rates.get(w + "/arc/" + s);
                double lru = rates.get(w + "/lru/" + s);
                double lfu = rates.get(w + "/lfu/" + s);
                t.println(f("| %,d | %.3f | %.3f | %.3f | %+.3f |", s, arc, lru, lfu, arc - Math.max(lru, lfu)));
            }
            XYChart c = Charts.xy(
                    620,
                    500,
                    CACHE_TITLES.get(w),
                    "cache size (entries, log scale)",
                    panels.isEmpty() ? "hit rate (1,000,000 references)" : "hit rate");
            c.getStyler().setChartTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 11));
            c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setLegendVisible(panels.isEmpty());
            Charts.logXLabels(c, 10, Charts::plain);
            Object[][] styles = {
                {"arc", Charts.RED, SeriesMarkers.CIRCLE, SeriesLines.SOLID},
                {"lru", Charts.BLUE, SeriesMarkers.SQUARE, SeriesLines.DASH_DASH},
                {"lfu", Charts.GREEN, SeriesMarkers.TRIANGLE_UP, SeriesLines.DOT_DOT}
            };
            for (Object[] p : styles) {
                double[] ys = sizes.stream()
                        .mapToDouble(s -> rates.get(w + "/" + p[0] + "/" + s))
                        .toArray();
                Charts.line(
                        c,
                        ((String) p[0]).toUpperCase(Locale.ROOT),
                        xs,
                        ys,
                        (Color) p[1],
                        (org.knowm.xchart.style.markers.Marker) p[2],
                        (java.awt.BasicStroke) p[3]);
            }
            panels.add(c);
        }
        Charts.save(
                Charts.grid(
                        "lab-07: ARC, LRU and LFU hit rates against cache size (HitRateSimulation)",
                        3,
                        620,
                        500,
                        panels),
                out,
                "lab07-cache-hit-rates.png",
                log);
    }

    /** Where a/b passes 1, interpolated on log(selectivity) and log(ratio); NaN if never. */
    static double crossover(double[] sel, double[] a, double[] b) {
        for (int k = 1; k < sel.length; k++) {
            double x = Math.log(a[k - 1] / b[k - 1]);
            double y = Math.log(a[k] / b[k]);
            if (x <= 0 && 0 < y) {
                double frac = -x / (y - x);
                return Math.exp(Math.log(sel[k - 1]) + frac * (Math.log(sel[k]) - Math.log(sel[k - 1])));
            }
        }
        return Double.NaN;
    }

    private static void planner(Path dir, String prefix, String png, Path out, PrintStream t, PrintStream log)
            throws IOException {
        Path sweep = dir.resolve(prefix + "-sweep.csv");
        if (!Files.isRegularFile(sweep)) {
            return;
        }
        List<Map<String, String>> rows = Csv.read(sweep);
        double[] sel = Lab05Figures.column(rows, "selectivity", 1);
        Map<String, double[]> col = new HashMap<>();
        for (String k : rows.get(0).keySet()) {
            if (k.endsWith("_us")) {
                col.put(k, Lab05Figures.column(rows, k, 1e-3));
            }
        }
        double measured = crossover(sel, col.get("index_us"), col.get("full_us"));
        double predicted = crossover(sel, col.get("index_predicted_us"), col.get("full_predicted_us"));
        double profile = crossover(sel, col.get("index_profile_us"), col.get("full_profile_us"));
        XYChart c = Charts.xy(
                960,
                600,
                "lab-07 T11: index range scan against full scan, 200,000 rows in HybridStore on disk",
                "selectivity of the price range (share of the table's rows, log scale)",
                "time per query (ms, log scale)");
        c.getStyler().setYAxisLogarithmic(true);
        Charts.logXLabels(c, 10, v -> Md.g(v * 100) + "%");
        double[] xs = Charts.log(sel, 10);
        Charts.line(c, "index range scan, measured", xs, col.get("index_us"), Charts.BLUE, SeriesMarkers.CIRCLE, null);
        Charts.line(c, "full scan, measured", xs, col.get("full_us"), Charts.RED, SeriesMarkers.CIRCLE, null);
        Charts.line(
                c,
                "index range scan, predicted (calibrated model)",
                xs,
                col.get("index_predicted_us"),
                Charts.BLUE,
                null,
                SeriesLines.DASH_DASH);
        Charts.line(
                c,
                "full scan, predicted (calibrated model)",
                xs,
                col.get("full_predicted_us"),
                Charts.RED,
                null,
                SeriesLines.DASH_DASH);
        Charts.line(
                c,
                "index range scan, hardware profile only",
                xs,
                col.get("index_profile_us"),
                Charts.BLUE,
                null,
                SeriesLines.DOT_DOT);
        Charts.line(
                c,
                "full scan, hardware profile only",
                xs,
                col.get("full_profile_us"),
                Charts.RED,
                null,
                SeriesLines.DOT_DOT);
        double lo = col.values().stream().mapToDouble(Charts::min).min().orElse(1);
        double hi = col.values().stream().mapToDouble(Charts::max).max().orElse(1);
        Object[][] lines = {
            {measured, "measured", SeriesLines.SOLID},
            {predicted, "predicted", SeriesLines.DASH_DASH},
            {profile, "profile only", SeriesLines.DOT_DOT}
        };
        for (Object[] l : lines) {
            double x = (double) l[0];
            if (!Double.isNaN(x)) {
                Charts.vline(
                        c,
                        f("%s crossover %.1f%%", l[1], 100 * x),
                        Math.log10(x),
                        lo,
                        hi,
                        new Color(0x666666),
                        (java.awt.BasicStroke) l[2]);
            }
        }
        Charts.save(c, out, png, log);
        t.println(f(
                "crossover measured %s, predicted %s, profile only %s",
                Double.isNaN(measured) ? "None" : Md.g(measured),
                Double.isNaN(predicted) ? "None" : Md.g(predicted),
                Double.isNaN(profile) ? "None" : Md.g(profile)));
        Path heldCsv = dir.resolve(prefix + "-held.csv");
        if (Files.isRegularFile(heldCsv)) {
            List<Map<String, String>> held = Csv.read(heldCsv);
            long right = held.stream()
                    .filter(r -> r.get("chosen").equals(r.get("fastest")))
                    .count();
            double worst = held.stream()
                    .mapToDouble(r -> Double.parseDouble(r.get("ratio")))
                    .max()
                    .orElse(0);
            t.println(f(
                    "held set: %d queries, the pick was the fastest %d times (%.0f%%), worst ratio %.2fx",
                    held.size(), right, 100.0 * right / held.size(), worst));
        }
    }

    private static final String[][] KNOBS = {
        {"cache_share", "cache share of the memory budget"},
        {"dirty_share", "dirty share of the cache"},
        {"hysteresis", "router hysteresis"},
        {"consider_log2", "router sampling, log2(considerEvery)"},
    };

    /** Each interval's x: its phase's index plus its place within the phase, so that runs of different speeds line up. */
    private static double[] positions(List<Map<String, String>> rows) {
        Map<Integer, Integer> perPhase = new HashMap<>();
        for (Map<String, String> r : rows) {
            perPhase.merge(Integer.parseInt(r.get("phase_index")), 1, Integer::sum);
        }
        Map<Integer, Integer> seen = new HashMap<>();
        double[] xs = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            int p = Integer.parseInt(rows.get(i).get("phase_index"));
            int s = seen.merge(p, 1, Integer::sum) - 1;
            xs[i] = p + s / (double) perPhase.get(p);
        }
        return xs;
    }

    private static void tuning(Path dir, Path out, PrintStream log) throws IOException {
        Path knobsCsv = dir.resolve("tuning-knobs.csv");
        Path throughputCsv = dir.resolve("tuning-throughput.csv");
        if (!Files.isRegularFile(knobsCsv) || !Files.isRegularFile(throughputCsv)) {
            return;
        }
        // the median over repetitions of the operations per CPU-second, per configuration and phase
        Map<String, TreeMap<Integer, List<Double>>> rates = new LinkedHashMap<>();
        TreeMap<Integer, String> phases = new TreeMap<>();
        for (Map<String, String> r : Csv.read(throughputCsv)) {
            int p = Integer.parseInt(r.get("phase_index"));
            phases.put(p, r.get("phase"));
            rates.computeIfAbsent(r.get("config"), k -> new TreeMap<>())
                    .computeIfAbsent(p, k -> new ArrayList<>())
                    .add(Double.parseDouble(r.get("ops_per_cpu_s")));
        }
        Map<String, double[]> med = new LinkedHashMap<>();
        rates.forEach((config, byPhase) -> med.put(
                config, byPhase.values().stream().mapToDouble(Jmh::median).toArray()));
        int n = phases.size();
        double[] best = new double[n];
        med.forEach((config, v) -> {
            if (config.startsWith("fixed") || config.equals("default")) {
                for (int p = 0; p < n; p++) {
                    best[p] = Math.max(best[p], v[p]);
                }
            }
        });
        List<String> phaseLabels = new ArrayList<>();
        for (var e : phases.entrySet()) {
            phaseLabels.add((e.getKey() + 1) + ". "
                    + e.getValue().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        CategoryChart bars = Charts.bars(
                1320,
                440,
                "phase-shifting workload: operations per CPU-second of the JVM, median of 3 runs",
                null,
                "thousand operations / CPU-second");
        Object[][] series = {
            {"default", med.get("default"), Charts.GRAY},
            {"best fixed for the phase", best, Charts.GREEN},
            {"tuner", med.get("tuned"), Charts.BLUE},
            {"tuner without damping", med.get("tuned-undamped"), Charts.RED}
        };
        for (Object[] s : series) {
            double[] v = (double[]) s[1];
            if (v != null) {
                List<Double> ys = new ArrayList<>();
                for (double x : v) {
                    ys.add(x / 1000);
                }
                bars.addSeries((String) s[0], phaseLabels, ys).setFillColor((Color) s[2]);
            }
        }
        Map<String, List<Map<String, String>>> knobs = new HashMap<>();
        for (Map<String, String> r : Csv.read(knobsCsv)) {
            knobs.computeIfAbsent(r.get("config"), k -> new ArrayList<>()).add(r);
        }
        List<Map<String, String>> tuned = knobs.getOrDefault("tuned", List.of());
        List<Map<String, String>> undamped = knobs.getOrDefault("tuned-undamped", List.of());
        List<XYChart> panels = new ArrayList<>();
        for (int k = 0; k < KNOBS.length; k++) {
            String name = KNOBS[k][0];
            XYChart c = Charts.xy(660, 400, KNOBS[k][1], "phase (1 to " + n + ")", null);
            c.getStyler().setXAxisMin(0.0).setXAxisMax((double) n).setLegendVisible(k == 0);
            c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSW);
            c.getStyler().setxAxisTickLabelsFormattingFunction(v -> Md.g(v + 1));
            for (int p = 1; p < n; p++) {
                Charts.vline(c, " phase " + p, p, 0, 0, new Color(0xbbbbbb), Charts.THIN);
            }
            if (!undamped.isEmpty()) {
                XYSeries s = Charts.line(
                        c,
                        "without damping",
                        positions(undamped),
                        Lab05Figures.column(undamped, name, 1),
                        Charts.RED,
                        null,
                        new java.awt.BasicStroke(0.8f));
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
            }
            double[] tx = positions(tuned);
            Charts.line(
                    c,
                    "wanted (damped run)",
                    tx,
                    Lab05Figures.column(tuned, "want_" + name, 1),
                    new Color(0x4d4d4d),
                    null,
                    SeriesLines.DOT_DOT);
            Charts.line(
                            c,
                            "damped tuner",
                            tx,
                            Lab05Figures.column(tuned, name, 1),
                            Charts.BLUE,
                            null,
                            new java.awt.BasicStroke(2f))
                    .setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
            double lo = Math.min(
                    Charts.min(Lab05Figures.column(tuned, name, 1)),
                    Charts.min(Lab05Figures.column(tuned, "want_" + name, 1)));
            double hi = Math.max(
                    Charts.max(Lab05Figures.column(tuned, name, 1)),
                    Charts.max(Lab05Figures.column(tuned, "want_" + name, 1)));
            for (int p = 1; p < n; p++) {
                // the phase boundaries span the knob's range
                c.updateXYSeries(" phase " + p, new double[] {p, p}, new double[] {lo, hi}, null);
            }
            panels.add(c);
        }
        java.awt.image.BufferedImage top =
                new java.awt.image.BufferedImage(1320, 440, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = top.createGraphics();
        bars.paint(g, 1320, 440);
        g.dispose();
        java.awt.image.BufferedImage knobsImg = Charts.grid(null, 2, 660, 400, panels);
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(
                1320, 440 + knobsImg.getHeight(), java.awt.image.BufferedImage.TYPE_INT_RGB);
        g = img.createGraphics();
        g.drawImage(top, 0, 0, null);
        g.drawImage(knobsImg, 0, 440, null);
        g.dispose();
        Charts.save(img, out, "lab07-tuning.png", log);
    }

    private static void week(Path dir, Path out, PrintStream t, PrintStream log) throws IOException {
        Path csv = dir.resolve("week.csv");
        if (!Files.isRegularFile(csv)) {
            return;
        }
        Map<String, List<Map<String, String>>> rows = new LinkedHashMap<>();
        for (Map<String, String> r : Csv.read(csv)) {
            rows.computeIfAbsent(r.get("engine"), k -> new ArrayList<>()).add(r);
        }
        rows.values().forEach(rs -> rs.sort(java.util.Comparator.comparingInt(r -> Integer.parseInt(r.get("hour")))));
        int hours = rows.values().stream()
                        .flatMap(List::stream)
                        .mapToInt(r -> Integer.parseInt(r.get("hour")))
                        .max()
                        .orElse(0)
                + 1;
        Map<String, Object[]> engines = Map.of(
                "simple", new Object[] {"simple engine", Charts.RED},
                "hardened", new Object[] {"hardened HybridStore", Charts.BLUE});
        XYChart top = Charts.xy(1320, 360, "A simulated week of the e-commerce day cycle", null, "migrations per hour");
        XYChart mid = Charts.xy(1320, 320, null, null, "keys routed to the B+tree");
        XYChart bottom = Charts.xy(1320, 400, null, "simulated hour (a tick a day)", "tier size (MB)");
        for (XYChart c : List.of(top, mid, bottom)) {
            c.getStyler().setXAxisMin(0.0).setXAxisMax((double) hours);
            c.getStyler().setxAxisTickLabelsFormattingFunction(v -> Md.g(v));
        }
        top.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        for (var e : rows.entrySet()) {
            Object[] style = engines.getOrDefault(e.getKey(), new Object[] {e.getKey(), Charts.GRAY});
            String label = (String) style[0];
            Color color = (Color) style[1];
            List<Map<String, String>> rs = e.getValue();
            double[] x = Lab05Figures.column(rs, "hour", 1);
            Charts.line(top, label, x, Lab05Figures.column(rs, "migrations", 1), color, null, null)
                    .setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
            Charts.line(mid, label, x, Lab05Figures.column(rs, "hotKeys", 1), color, null, null);
            Charts.line(
                    bottom, label + ": B+tree (hot)", x, Lab05Figures.column(rs, "hotBytes", 1e-6), color, null, null);
            Charts.line(
                    bottom,
                    label + ": LSM tree (cold)",
                    x,
                    Lab05Figures.column(rs, "coldBytes", 1e-6),
                    color,
                    null,
                    SeriesLines.DASH_DASH);
            if (rs.stream().anyMatch(r -> Long.parseLong(r.get("archiveBytes")) != 0)) {
                Charts.line(
                        bottom,
                        label + ": archive",
                        x,
                        Lab05Figures.column(rs, "archiveBytes", 1e-6),
                        color,
                        null,
                        SeriesLines.DOT_DOT);
            }
        }
        Charts.save(Lab02Figures.stack(List.of(top, mid, bottom)), out, "lab07-week.png", log);
        t.println();
        t.println(
                "| engine | day | operations | migrations | busiest hour | hot keys at midnight | B+tree MB | LSM MB |");
        t.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (var e : rows.entrySet()) {
            for (int day = 0; day < hours / 24; day++) {
                String d = Integer.toString(day);
                List<Map<String, String>> rs = e.getValue().stream()
                        .filter(r -> r.get("day").equals(d))
                        .toList();
                if (rs.isEmpty()) {
                    continue;
                }
                Map<String, String> last = rs.get(rs.size() - 1);
                t.println(f(
                        "| %s | %d | %,d | %,d | %,d | %,d | %.1f | %.1f |",
                        e.getKey(),
                        day + 1,
                        rs.stream().mapToLong(r -> Long.parseLong(r.get("ops"))).sum(),
                        rs.stream()
                                .mapToLong(r -> Long.parseLong(r.get("migrations")))
                                .sum(),
                        rs.stream()
                                .mapToLong(r -> Long.parseLong(r.get("migrations")))
                                .max()
                                .orElse(0),
                        Long.parseLong(last.get("hotKeys")),
                        Long.parseLong(last.get("hotBytes")) / 1e6,
                        Long.parseLong(last.get("coldBytes")) / 1e6));
            }
        }
    }
}
