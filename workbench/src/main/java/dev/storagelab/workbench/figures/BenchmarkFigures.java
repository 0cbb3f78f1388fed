package dev.storagelab.workbench.figures;

import dev.storagelab.workbench.tables.BaselineTable;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.CategoryChart;

/**
 * The db_bench-style baseline of notes/benchmarks.md: its tables ({@link BaselineTable}) and
 * benchmarks-throughput.png, the median of each cell's runs, from the {@code ./storagelab workload
 * --json} results that {@code notes/figures/run_benchmarks.sh} writes to {@code notes/data/bench}.
 */
final class BenchmarkFigures implements FigureFamily {

    /** A colour an engine: the palette's ten, then five more, so that no two of the fifteen bars look alike. */
    private static final Color[] COLOURS = {
        Charts.BLUE,
        Charts.ORANGE,
        Charts.GREEN,
        Charts.RED,
        Charts.PURPLE,
        Charts.BROWN,
        Charts.PINK,
        Charts.GRAY,
        Charts.OLIVE,
        Charts.CYAN,
        new Color(0x393b79),
        new Color(0xe7ba52),
        new Color(0x637939),
        new Color(0xad494a),
        new Color(0x17344f)
    };

    @Override
    public void draw(Path data, Path out, PrintStream t, PrintStream log) throws IOException {
        Path dir = data.resolve("bench");
        if (!Files.isDirectory(dir)) {
            return;
        }
        BaselineTable.Baseline baseline = BaselineTable.Baseline.read(dir, List.of());
        t.print(baseline.markdown("notes/data/bench"));
        List<String> workloads = baseline.workloads();
        CategoryChart c = Charts.bars(
                1320,
                600,
                "db_bench-style workloads, 16-byte keys, 100-byte values (the median of each cell's runs)",
                null,
                "operations per second (log scale)");
        c.getStyler().setSeriesColors(COLOURS);
        List<List<Double>> all = new ArrayList<>();
        for (String e : baseline.engines()) {
            List<Double> ys = new ArrayList<>();
            for (String w : workloads) {
                ys.add(baseline.ops(e, w));
            }
            c.addSeries(e, workloads, ys);
            all.add(ys);
        }
        Charts.logBars(c, all);
        Charts.save(c, out, "benchmarks-throughput.png", log);
    }
}
