package dev.storagelab.workbench.figures;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.workbench.arena.ArenaSweep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapSeries;

/**
 * Chapter 7's crossover map, drawn from the sweep it quotes: every cell's label has two decimals
 * (1.00 and 0.72, not 1 and .72), and the colour scale holds every cell, 2.54 included, with a
 * draw (1.00) still white.
 */
class CrossoverFiguresTest {

    private static final Path SWEEP = Path.of(System.getProperty("basedir", "."))
            .toAbsolutePath()
            .getParent()
            .resolve("notes/data/lab07/arena")
            .resolve(CrossoverFigures.SWEEP)
            .resolve("crossover.json");

    @Test
    void theMapsLabelsHaveTwoDecimalsAndItsScaleHoldsEveryCell() throws Exception {
        HeatMapChart chart = ArenaSweep.heatMap(SWEEP);
        // as XChart labels a cell: a DecimalFormat of the styler's pattern
        java.text.DecimalFormat format = new java.text.DecimalFormat(
                chart.getStyler().getHeatMapValueDecimalPattern(),
                java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT));
        Function<Double, String> label = format::format;
        List<String> labels = new ArrayList<>();
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (HeatMapSeries s : chart.getSeriesMap().values()) {
            for (Number[] v : s.getHeatData()) {
                labels.add(label.apply(v[2].doubleValue()));
                min = Math.min(min, v[2].doubleValue());
                max = Math.max(max, v[2].doubleValue());
            }
        }
        assertThat(labels, hasItems("0.63", "1.08", "1.87"));
        for (String l : labels) {
            assertThat(l, l.matches("\\d+\\.\\d\\d"), is(true));
        }
        assertThat("the scale's top holds the largest cell", chart.getStyler().getMax(), greaterThanOrEqualTo(max));
        assertThat(chart.getStyler().getMin(), lessThanOrEqualTo(min));
        double top = chart.getStyler().getMax();
        java.awt.Color[] colors = chart.getStyler().getRangeColors();
        assertThat("a colour per unit of the scale", (double) (colors.length - 1), is(top));
        assertThat("a draw is white", colors[1], is(new java.awt.Color(0xf7f7f7)));
    }
}
