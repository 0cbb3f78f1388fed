package dev.storagelab.workbench.figures;

import dev.storagelab.workbench.data.Md;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The figures' one look, on XChart: white plots with a light grid, the legend inside the plot, the
 * colours of the usual ten-colour palette by name, and a grid of charts composed into one picture
 * (several panels under one title). Ranges (the fastest and the slowest iteration of a median) are
 * drawn as small marks above and below the point, in the series' colour, left out of the legend.
 */
final class Charts {

    static final Color BLUE = new Color(0x1f77b4);
    static final Color ORANGE = new Color(0xff7f0e);
    static final Color GREEN = new Color(0x2ca02c);
    static final Color RED = new Color(0xd62728);
    static final Color PURPLE = new Color(0x9467bd);
    static final Color BROWN = new Color(0x8c564b);
    static final Color PINK = new Color(0xe377c2);
    static final Color GRAY = new Color(0x7f7f7f);
    static final Color OLIVE = new Color(0xbcbd22);
    static final Color CYAN = new Color(0x17becf);
    static final Color[] PALETTE = {BLUE, ORANGE, GREEN, RED, PURPLE, BROWN, PINK, GRAY, OLIVE, CYAN};
    static final Marker[] MARKERS = {
        SeriesMarkers.CIRCLE,
        SeriesMarkers.SQUARE,
        SeriesMarkers.TRIANGLE_UP,
        SeriesMarkers.TRIANGLE_DOWN,
        SeriesMarkers.DIAMOND
    };

    /** A thin solid line, for reference lines. */
    static final BasicStroke THIN = new BasicStroke(1f);

    private static final String FONT = Font.SANS_SERIF;

    private Charts() {}

    /** An XY chart with the figures' style. */
    static XYChart xy(int width, int height, String title, String xTitle, String yTitle) {
        XYChart c = new XYChartBuilder()
                .width(width)
                .height(height)
                .title(title == null ? "" : title)
                .xAxisTitle(xTitle == null ? "" : xTitle)
                .yAxisTitle(yTitle == null ? "" : yTitle)
                .build();
        style(c.getStyler());
        c.getStyler().setChartTitleVisible(title != null);
        c.getStyler().setMarkerSize(7);
        return c;
    }

    /** A bar chart with the figures' style: the series side by side in each category. */
    static CategoryChart bars(int width, int height, String title, String xTitle, String yTitle) {
        CategoryChart c = new CategoryChartBuilder()
                .width(width)
                .height(height)
                .title(title == null ? "" : title)
                .xAxisTitle(xTitle == null ? "" : xTitle)
                .yAxisTitle(yTitle == null ? "" : yTitle)
                .build();
        style(c.getStyler());
        c.getStyler().setChartTitleVisible(title != null);
        c.getStyler().setXAxisTitleVisible(xTitle != null);
        c.getStyler().setAvailableSpaceFill(0.8);
        c.getStyler().setPlotGridVerticalLinesVisible(false);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        return c;
    }

    private static void style(AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(new Color(0x888888));
        s.setPlotGridLinesColor(new Color(0xe3e3e3));
        s.setPlotGridLinesStroke(new BasicStroke(0.8f));
        s.setChartTitleBoxVisible(false);
        s.setChartTitleFont(new Font(FONT, Font.BOLD, 14));
        s.setAxisTitleFont(new Font(FONT, Font.PLAIN, 12));
        s.setAxisTickLabelsFont(new Font(FONT, Font.PLAIN, 11));
        s.setLegendFont(new Font(FONT, Font.PLAIN, 11));
        s.setLegendPosition(Styler.LegendPosition.InsideNW);
        s.setLegendBackgroundColor(new Color(255, 255, 255, 225));
        s.setLegendBorderColor(new Color(0xcccccc));
        s.setSeriesColors(PALETTE);
        s.setSeriesMarkers(MARKERS);
        s.setAntiAlias(true);
        s.setLocale(java.util.Locale.US);
        s.setErrorBarsColorSeriesColor(true);
        s.setToolTipsEnabled(false);
        s.setXAxisDecimalPattern("#,##0.###");
        s.setYAxisDecimalPattern("#,##0.###");
        s.setYAxisLogarithmicDecadeOnly(false);
    }

    /**
     * The logarithms of {@code xs} to {@code base}: XChart's own log axis cannot have chosen tick
     * labels, so a log x axis is drawn linear in the logarithms, labelled with the values by {@link #logXLabels}.
     */
    static double[] log(double[] xs, double base) {
        double[] out = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = Math.log(xs[i]) / Math.log(base);
        }
        return out;
    }

    /** Labels an x axis drawn in logarithms to {@code base} ({@link #log}) with the values, formatted by {@code format}. */
    static void logXLabels(XYChart c, double base, java.util.function.Function<Double, String> format) {
        c.getStyler().setxAxisTickLabelsFormattingFunction(v -> {
            double x = Math.pow(base, v);
            double r = Math.rint(x);
            return format.apply(Math.abs(x - r) < 1e-6 * Math.max(1, r) ? r : x);
        });
    }

    /**
     * A log scale for a bar chart of {@code values}: its axis starts at the power of ten at or below
     * the smallest positive value (a bar's base cannot be zero on a log scale). Over more than
     * {@link #LABELLED_DECADES} decades it is labelled at the powers of ten alone: labels at each of
     * 1-9 times a power of ten overlap where the decades are short.
     */
    static void logBars(CategoryChart c, java.util.Collection<? extends List<? extends Number>> values) {
        double smallest = positive(values).min().orElse(1);
        double largest = positive(values).max().orElse(1);
        double floor = Math.floor(Math.log10(smallest));
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setYAxisMin(Math.pow(10, floor));
        c.getStyler().setYAxisLogarithmicDecadeOnly(Math.log10(largest) - floor > LABELLED_DECADES);
    }

    /** The most decades a log axis labels at 1-9 times each power of ten ({@link #logBars}). */
    static final int LABELLED_DECADES = 3;

    private static java.util.stream.DoubleStream positive(
            java.util.Collection<? extends List<? extends Number>> values) {
        return values.stream()
                .flatMap(List::stream)
                .filter(java.util.Objects::nonNull)
                .mapToDouble(Number::doubleValue)
                .filter(v -> v > 0);
    }

    /** A line through the points with markers; a null marker draws the line alone, a NONE stroke the markers alone. */
    static XYSeries line(
            XYChart c, String name, double[] x, double[] y, Color color, Marker marker, BasicStroke stroke) {
        XYSeries s = c.addSeries(name, x, y);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setMarker(marker == null ? SeriesMarkers.NONE : marker);
        s.setLineStyle(stroke == null ? SeriesLines.SOLID : stroke);
        return s;
    }

    /** The fastest and the slowest iteration of each point: small marks in the series' colour, not in the legend. */
    static void range(XYChart c, String name, double[] x, double[] lo, double[] hi, Color color) {
        for (int k = 0; k < 2; k++) {
            XYSeries s = c.addSeries(name + (k == 0 ? " (fastest)" : " (slowest)"), x, k == 0 ? lo : hi);
            s.setLineStyle(SeriesLines.NONE);
            s.setMarker(SeriesMarkers.PLUS);
            s.setMarkerColor(color);
            s.setShowInLegend(false);
        }
    }

    /** A horizontal reference line at {@code y} from {@code x0} to {@code x1}, in the legend if {@code name} does not start with a space. */
    static XYSeries hline(XYChart c, String name, double y, double x0, double x1, Color color, BasicStroke stroke) {
        XYSeries s = line(c, name, new double[] {x0, x1}, new double[] {y, y}, color, null, stroke);
        s.setShowInLegend(!name.startsWith(" "));
        return s;
    }

    /** A vertical reference line at {@code x} from {@code y0} to {@code y1}. */
    static XYSeries vline(XYChart c, String name, double x, double y0, double y1, Color color, BasicStroke stroke) {
        XYSeries s = line(c, name, new double[] {x, x}, new double[] {y0, y1}, color, null, stroke);
        s.setShowInLegend(!name.startsWith(" "));
        return s;
    }

    /** The smallest of {@code xs}, NaN left out (+∞ when none is left). */
    static double min(double[] xs) {
        return numbers(xs).min().orElse(Double.POSITIVE_INFINITY);
    }

    /** The largest of {@code xs}, NaN left out (-∞ when none is left). */
    static double max(double[] xs) {
        return numbers(xs).max().orElse(Double.NEGATIVE_INFINITY);
    }

    private static java.util.stream.DoubleStream numbers(double[] xs) {
        return java.util.Arrays.stream(xs).filter(x -> !Double.isNaN(x));
    }

    /** Numbers with thousands separators, as tick labels: 1,000 rather than 1000 or 1E3. */
    static String plain(double v) {
        return Md.gComma(v);
    }

    /** Charts laid out in a grid of {@code cols} columns, each {@code cellWidth} by {@code cellHeight}, under {@code title}. */
    static BufferedImage grid(
            String title, int cols, int cellWidth, int cellHeight, List<? extends Chart<?, ?>> charts) {
        int rows = (charts.size() + cols - 1) / cols;
        int top = title == null ? 0 : 34;
        BufferedImage img = new BufferedImage(cols * cellWidth, top + rows * cellHeight, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        if (title != null) {
            g.setColor(Color.BLACK);
            g.setFont(new Font(FONT, Font.BOLD, 15));
            int w = g.getFontMetrics().stringWidth(title);
            g.drawString(title, Math.max(8, (img.getWidth() - w) / 2), 23);
        }
        for (int i = 0; i < charts.size(); i++) {
            Graphics2D cell =
                    (Graphics2D) g.create((i % cols) * cellWidth, top + (i / cols) * cellHeight, cellWidth, cellHeight);
            charts.get(i).paint(cell, cellWidth, cellHeight);
            cell.dispose();
        }
        g.dispose();
        return img;
    }

    /** Writes {@code chart} as {@code out/name} (a PNG) and says so on {@code log}. */
    static Path save(Chart<?, ?> chart, Path out, String name, PrintStream log) throws IOException {
        BufferedImage img = new BufferedImage(chart.getWidth(), chart.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        chart.paint(g, chart.getWidth(), chart.getHeight());
        g.dispose();
        return save(img, out, name, log);
    }

    static Path save(BufferedImage img, Path out, String name, PrintStream log) throws IOException {
        Files.createDirectories(out);
        Path p = out.resolve(name);
        ImageIO.write(img, "png", p.toFile());
        log.println("wrote " + p);
        return p;
    }
}
