package dev.storagelab.grader.perf;

import java.util.Locale;

/**
 * How a performance line's figures are printed, in every output alike (the terminal, {@code
 * report.md}, {@code grade.json}'s messages, Gradescope's and PrairieLearn's feedback): four
 * significant digits for a figure, two decimals for a ratio, so that the ratio printed is the
 * quotient of the figures printed to its own precision.
 */
public final class PerfFigures {

    private PerfFigures() {}

    /** {@code d} with four significant digits ({@code 12,345}, {@code 123.4}, {@code 1.234}, {@code 0.01234}). */
    public static String number(double d) {
        if (Double.isNaN(d)) {
            return "n/a";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        double abs = Math.abs(d);
        if (abs >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", d);
        }
        if (abs == 0) {
            return "0";
        }
        int decimals = Math.max(0, 3 - (int) Math.floor(Math.log10(abs)));
        return String.format(Locale.ROOT, "%." + decimals + "f", d);
    }

    /** A ratio as {@code 1.23x}; {@code inf} when the reference's side is zero and the submission's is not. */
    public static String ratio(double r) {
        if (Double.isNaN(r)) {
            return "-";
        }
        return Double.isInfinite(r) ? "inf" : String.format(Locale.ROOT, "%.2fx", r);
    }
}
