package dev.storagelab.workbench;

import com.google.gson.GsonBuilder;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/**
 * The arena's sweep: every engine on a grid of mixes (Zipf theta from uniform to 0.99, read share,
 * hot-set size) and on the e-commerce store, each cell a full {@link Arena} run on equal terms.
 * The crossover map says, per cell, which engine won and by how much: the hybrid's throughput
 * over the better pure engine's (the B+tree and the LSM tree). It is written as JSON
 * ({@link #JSON}: every cell's results) and as a heat map ({@link #PNG}).
 */
public final class ArenaSweep {

    static final String JSON = "crossover.json";
    static final String PNG = "crossover.png";

    /** The pure engines the hybrid is compared with: the course's B+tree and LSM tree (a peer in the run is not one). */
    static final java.util.Set<String> PURE = java.util.Set.of(ArenaEngine.BTREE.id(), ArenaEngine.LSM.id());

    /** The default grid. */
    static final List<Double> THETAS = List.of(0.0, 0.8, 0.99);

    static final List<Double> READS = List.of(0.5, 0.95);
    static final List<Double> HOTS = List.of(0.05, 1.0);

    private ArenaSweep() {}

    /** One cell of the map. */
    record Cell(
            String workload,
            double readShare,
            double theta,
            double hotShare,
            String winner,
            double hybridOverBestPure,
            List<Arena.Result> results) {}

    static List<Cell> run(
            List<? extends ArenaEntrant> engines,
            Arena.Spec spec,
            Path dir,
            Path out,
            List<Double> thetas,
            List<Double> reads,
            List<Double> hots,
            int rounds,
            Consumer<String> progress)
            throws IOException {
        List<ArenaWorkload> workloads = new ArrayList<>();
        for (double hot : hots) {
            for (double read : reads) {
                for (double theta : thetas) {
                    workloads.add(ArenaWorkload.parse(ArenaWorkload.mixName(read, theta, hot)));
                }
            }
        }
        workloads.add(ArenaWorkload.parse("ecommerce"));
        Files.createDirectories(out);
        List<Cell> cells = new ArrayList<>();
        int i = 0;
        for (ArenaWorkload w : workloads) {
            progress.accept(String.format(Locale.ROOT, "cell %d of %d: %s", ++i, workloads.size(), w.name()));
            List<Arena.Result> results = Arena.run(engines, w, spec, dir, rounds, line -> {});
            cells.add(cell(w, results));
            write(out, spec, cells, thetas); // after every cell: a long sweep that stops keeps what it measured
        }
        return cells;
    }

    /** The cell of {@code results}: the winner, and the hybrid's throughput over the better pure engine's (NaN without both). */
    static Cell cell(ArenaWorkload w, List<Arena.Result> results) {
        Arena.Result best = results.stream()
                .max(java.util.Comparator.comparingDouble(Arena.Result::opsPerSecond))
                .orElseThrow();
        double pure = results.stream()
                .filter(r -> PURE.contains(r.engine()))
                .mapToDouble(Arena.Result::opsPerSecond)
                .max()
                .orElse(Double.NaN);
        double hybrid = results.stream()
                .filter(r -> r.engine().equals(ArenaEngine.HYBRID.id()))
                .mapToDouble(Arena.Result::opsPerSecond)
                .findFirst()
                .orElse(Double.NaN);
        return new Cell(w.name(), w.readShare(), w.theta(), w.hotShare(), best.engine(), hybrid / pure, results);
    }

    private static void write(Path out, Arena.Spec spec, List<Cell> cells, List<Double> thetas) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("memoryBudget", spec.memoryBytes());
        doc.put("dataMultiple", spec.dataMultiple());
        doc.put("syncMode", spec.sync().name().toLowerCase(Locale.ROOT));
        doc.put("pageCacheBypassed", spec.direct());
        doc.put("cells", cells);
        Files.writeString(
                out.resolve(JSON),
                new GsonBuilder()
                                .setPrettyPrinting()
                                .serializeSpecialFloatingPointValues()
                                .create()
                                .toJson(doc) + "\n",
                StandardCharsets.UTF_8);
        BitmapEncoder.saveBitmap(
                heatMap(cells, thetas, spec), out.resolve(PNG).toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * The heat map: a column per theta, a row per read share and hot set (the e-commerce store a
     * row of its own, in the 0.99 column: its products' skew), each cell the hybrid's throughput
     * over the better pure engine's, with the winner's initial.
     */
    static HeatMapChart heatMap(List<Cell> cells, List<Double> thetas, Arena.Spec spec) {
        return heatMap(
                cells,
                thetas,
                spec.memoryBytes(),
                spec.dataMultiple(),
                spec.sync().name().toLowerCase(Locale.ROOT),
                spec.direct());
    }

    /**
     * The heat map of a sweep written before ({@link #JSON}: its cells and its run's conditions), as
     * {@link #heatMap(List, List, Arena.Spec)} drew it: the notes' crossover maps are redrawn from
     * their recorded sweeps ({@code ./storagelab figures}).
     */
    public static HeatMapChart heatMap(Path json) throws IOException {
        com.google.gson.JsonObject doc = com.google.gson.JsonParser.parseString(
                        Files.readString(json, StandardCharsets.UTF_8))
                .getAsJsonObject();
        List<Cell> cells = new ArrayList<>();
        java.util.TreeSet<Double> thetas = new java.util.TreeSet<>();
        for (com.google.gson.JsonElement e : doc.getAsJsonArray("cells")) {
            com.google.gson.JsonObject c = e.getAsJsonObject();
            Cell cell = new Cell(
                    c.get("workload").getAsString(),
                    c.get("readShare").getAsDouble(),
                    c.get("theta").getAsDouble(),
                    c.get("hotShare").getAsDouble(),
                    c.get("winner").getAsString(),
                    c.get("hybridOverBestPure").getAsDouble(),
                    List.of());
            if (!cell.workload().equals("ecommerce")) {
                thetas.add(cell.theta());
            }
            cells.add(cell);
        }
        return heatMap(
                cells,
                new ArrayList<>(thetas),
                doc.get("memoryBudget").getAsLong(),
                doc.get("dataMultiple").getAsDouble(),
                doc.get("syncMode").getAsString(),
                doc.get("pageCacheBypassed").getAsBoolean());
    }

    private static HeatMapChart heatMap(
            List<Cell> cells, List<Double> thetas, long memoryBytes, double dataMultiple, String sync, boolean direct) {
        List<String> xs =
                thetas.stream().map(t -> t == 0 ? "uniform" : "theta " + t).toList();
        List<String> ys = new ArrayList<>();
        List<Number[]> values = new ArrayList<>();
        for (Cell c : cells) {
            String row = c.workload().equals("ecommerce")
                    ? "ecommerce"
                    : String.format(Locale.ROOT, "read %.0f%%, hot %.0f%%", 100 * c.readShare(), 100 * c.hotShare());
            if (!ys.contains(row)) {
                ys.add(row);
            }
            int x = c.workload().equals("ecommerce") ? thetas.size() - 1 : thetas.indexOf(c.theta());
            if (x >= 0 && !Double.isNaN(c.hybridOverBestPure())) {
                values.add(new Number[] {x, ys.indexOf(row), Math.round(c.hybridOverBestPure() * 100) / 100.0});
            }
        }
        HeatMapChart chart = new HeatMapChartBuilder()
                .width(1100)
                .height(140 + 50 * ys.size())
                .title(String.format(
                        Locale.ROOT,
                        "hybrid ops/s / better of btree, lsm: %s memory, data %.0fx, sync %s, %s",
                        Arena.size(memoryBytes),
                        dataMultiple,
                        sync,
                        direct ? "direct reads" : "buffered reads"))
                .build();
        chart.getStyler().setShowValue(true);
        // each cell's label, as XChart writes it (a DecimalFormat of this pattern): 1.00 and 0.72, not 1 and .72
        chart.getStyler().setHeatMapValueDecimalPattern(CELL_PATTERN);
        double top = values.stream().mapToDouble(v -> v[2].doubleValue()).max().orElse(0);
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(scaleTop(top));
        chart.getStyler().setRangeColors(rangeColors(scaleTop(top)));
        chart.addSeries("hybrid / best pure", xs, ys, values);
        return chart;
    }

    /** The pattern of a cell's label: two decimals, and a zero before the point. */
    static final String CELL_PATTERN = "0.00";

    /** The top of the map's colour scale: 2, or the largest ratio rounded up to a whole number, so the scale holds every cell. */
    static double scaleTop(double largest) {
        return Math.max(2, Math.ceil(largest));
    }

    /**
     * The colours of a scale from 0 to {@code top} (a whole number), one per unit: red at 0, white
     * at 1 (a draw), then blues deepening to {@code top}, so that 1 stays white however far the
     * scale reaches.
     */
    static Color[] rangeColors(double top) {
        int n = (int) top;
        Color white = new Color(0xf7f7f7);
        Color blue = new Color(0x2e86c1);
        Color[] colors = new Color[n + 1];
        colors[0] = new Color(0xc0392b);
        colors[1] = white;
        for (int k = 2; k <= n; k++) {
            double f = (k - 1) / (double) (n - 1);
            colors[k] = new Color(
                    (int) Math.round(white.getRed() + f * (blue.getRed() - white.getRed())),
                    (int) Math.round(white.getGreen() + f * (blue.getGreen() - white.getGreen())),
                    (int) Math.round(white.getBlue() + f * (blue.getBlue() - white.getBlue())));
        }
        return colors;
    }
}
