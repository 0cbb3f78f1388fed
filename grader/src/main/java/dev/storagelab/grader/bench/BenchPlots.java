package dev.storagelab.grader.bench;

import dev.storagelab.grader.bench.BenchReport.Comparison;
import dev.storagelab.grader.bench.BenchReport.LabBench;
import dev.storagelab.grader.bench.BenchReport.WorkloadRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The PNG plots of a {@link BenchReport} (XChart): one bar chart per lab and benchmark class
 * (scores in the benchmark's unit, reference beside submission), the ratios when a submission was
 * measured, and the workloads' throughput on every engine with {@code --peers}.
 */
final class BenchPlots {

    private BenchPlots() {}

    /** Writes the plots into {@code dir}; returns their file names. */
    static List<String> write(BenchReport report, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> written = new ArrayList<>();
        for (LabBench lab : report.labs()) {
            Map<String, List<Comparison>> byClass = new LinkedHashMap<>();
            lab.benchmarks()
                    .forEach(c -> byClass.computeIfAbsent(c.benchmark().split("\\.")[0], k -> new ArrayList<>())
                            .add(c));
            for (Map.Entry<String, List<Comparison>> e : byClass.entrySet()) {
                written.add(save(
                        scores(lab.lab(), e.getKey(), e.getValue(), report.submission() != null),
                        dir.resolve(lab.lab() + "-" + e.getKey() + ".png")));
            }
        }
        if (report.submission() != null) {
            CategoryChart ratios = ratios(report);
            if (ratios != null) {
                written.add(save(ratios, dir.resolve("ratios.png")));
            }
        }
        if (report.workloads() != null && !report.workloads().runs().isEmpty()) {
            written.add(save(workloads(report.workloads()), dir.resolve("workloads.png")));
        }
        return written;
    }

    private static CategoryChart scores(String lab, String benchmarkClass, List<Comparison> rows, boolean compared) {
        String unit = rows.get(0).unit();
        CategoryChart chart = chart(lab + " " + benchmarkClass, unit, rows.size());
        List<String> labels = rows.stream().map(BenchPlots::label).toList();
        chart.addSeries(
                "reference",
                labels,
                rows.stream().map(c -> positive(c.reference())).toList());
        if (compared) {
            chart.addSeries(
                    "submission",
                    labels,
                    rows.stream()
                            .map(c -> c.submission() == null ? null : positive(c.submission()))
                            .toList());
        }
        logarithmicIfWide(chart);
        return chart;
    }

    private static CategoryChart ratios(BenchReport report) {
        List<String> labels = new ArrayList<>();
        List<Number> values = new ArrayList<>();
        for (LabBench lab : report.labs()) {
            for (Comparison c : lab.benchmarks()) {
                if (c.ratio() != null) {
                    labels.add(lab.lab() + " " + label(c));
                    values.add(c.ratio());
                }
            }
        }
        if (labels.isEmpty()) {
            return null;
        }
        CategoryChart chart = chart("submission time / reference time (above 1: slower)", "ratio", labels.size());
        chart.addSeries("ratio", labels, values);
        chart.getStyler().setLegendVisible(false);
        return chart;
    }

    private static CategoryChart workloads(BenchReport.WorkloadBench w) {
        Set<String> workloads = new LinkedHashSet<>();
        Map<String, Map<String, Double>> byEngine = new LinkedHashMap<>();
        for (WorkloadRun r : w.runs()) {
            workloads.add(r.workload());
            String series = r.side().equals("submission") ? r.engine() + " (submission)" : r.engine();
            byEngine.computeIfAbsent(series, k -> new LinkedHashMap<>()).put(r.workload(), r.opsPerSecond());
        }
        List<String> x = List.copyOf(workloads);
        CategoryChart chart = chart(
                String.format(java.util.Locale.ROOT, "workloads: %,d keys, %,d ops", w.keys(), w.ops()),
                "operations per second",
                x.size() * byEngine.size());
        byEngine.forEach((engine, values) -> chart.addSeries(
                engine, x, x.stream().map(k -> (Number) values.get(k)).toList()));
        logarithmicIfWide(chart);
        return chart;
    }

    private static CategoryChart chart(String title, String yTitle, int bars) {
        CategoryChart chart = new CategoryChartBuilder()
                .width(Math.max(800, Math.min(2400, 60 * bars + 300)))
                .height(600)
                .title(title)
                .yAxisTitle(yTitle)
                .build();
        chart.getStyler().setXAxisLabelRotation(30);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setOverlapped(false);
        return chart;
    }

    /**
     * A log axis when the values span more than two orders of magnitude, so small bars stay
     * visible. XChart cannot draw a log axis when a series lacks a value (a bar that was not
     * measured), so such a chart stays linear (and see {@link #save}).
     */
    private static void logarithmicIfWide(CategoryChart chart) {
        List<Number> values = chart.getSeriesMap().values().stream()
                .flatMap(s -> s.getYData().stream().map(Number.class::cast))
                .toList();
        if (values.stream().anyMatch(Objects::isNull)) {
            return;
        }
        double min = values.stream().mapToDouble(Number::doubleValue).min().orElse(1);
        double max = values.stream().mapToDouble(Number::doubleValue).max().orElse(1);
        chart.getStyler().setYAxisLogarithmic(min > 0 && max / min > 100);
    }

    private static String label(Comparison c) {
        String method = c.benchmark().substring(c.benchmark().indexOf('.') + 1);
        return c.params().isEmpty() ? method : method + " " + c.params();
    }

    /** XChart cannot draw NaN or a non-positive bar on a log axis; those are left out. */
    private static Double positive(double d) {
        return Double.isNaN(d) || d <= 0 ? null : d;
    }

    private static String save(CategoryChart chart, Path file) throws IOException {
        try {
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IllegalArgumentException e) {
            if (!chart.getStyler().isYAxisLogarithmic()) {
                throw e;
            }
            // XChart 3.8 refuses some bar charts on a log axis (a category with one bar, a missing
            // bar); such a chart is drawn linear rather than not at all.
            chart.getStyler().setYAxisLogarithmic(false);
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        }
        return file.getFileName().toString();
    }
}
