package dev.storagelab.workbench.data;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Numbers and rows for the Markdown tables the figures' commands print beside their plots. */
public final class Md {

    private Md() {}

    /** {@link String#format} with thousands separated by commas and a point for decimals, whatever the machine's locale. */
    public static String f(String pattern, Object... args) {
        return String.format(Locale.US, pattern, args);
    }

    private static final java.util.regex.Pattern SPEC =
            java.util.regex.Pattern.compile("%[-#+ 0,(]*\\d*(?:\\.(\\d+))?([a-zA-Z%])");

    /**
     * {@link #f}, with each {@code %.Nf} of a double rounded as Python rounds it: half to even on the
     * double's exact value (7.35 is 7.3499..., so "7.3"; 3.125 is exact, so "3.12"), where {@link
     * String#format} rounds half up on the shortest decimal ("7.4", "3.13"). For the tables that
     * replaced Python scripts, so that they print the figures those printed.
     */
    public static String fp(String pattern, Object... args) {
        Object[] a = args.clone();
        java.util.regex.Matcher m = SPEC.matcher(pattern);
        int i = 0;
        while (m.find()) {
            char conversion = m.group(2).charAt(0);
            if (conversion == '%' || conversion == 'n') {
                continue;
            }
            if (conversion == 'f' && a[i] instanceof Double d && Double.isFinite(d)) {
                a[i] = new BigDecimal(d)
                        .setScale(
                                m.group(1) == null ? 6 : Integer.parseInt(m.group(1)),
                                java.math.RoundingMode.HALF_EVEN);
            }
            i++;
        }
        return f(pattern, a);
    }

    /** A time for a table: thousands separators from 100 up, three significant digits below. */
    public static String fmt(double x) {
        if (x >= 100) {
            return f("%,.0f", x);
        }
        return x >= 10 ? f("%.1f", x) : f("%.2f", x);
    }

    /** A summary as "median [min, max]". */
    public static String cell(Jmh.Summary s) {
        return fmt(s.median()) + " [" + fmt(s.min()) + ", " + fmt(s.max()) + "]";
    }

    /** Up to six significant digits, no trailing zeros: Python's {@code :g} for the numbers of these tables. */
    public static String g(double x) {
        if (x == Math.rint(x) && Math.abs(x) < 1e15) {
            return Long.toString((long) x);
        }
        return new BigDecimal(x).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    /** {@link #g} with thousands separated: 1,000 rather than 1000. */
    public static String gComma(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? f("%,d", (long) x) : g(x);
    }

    /** A row: "| a | b | c |". */
    public static String row(List<String> cells) {
        return cells.stream().collect(Collectors.joining(" | ", "| ", " |"));
    }

    public static String row(String... cells) {
        return row(List.of(cells));
    }

    /** The separator line below a header: a left-aligned first column, then {@code right} right-aligned ones. */
    public static String rule(int left, int right) {
        return "|" + " --- |".repeat(left) + " ---: |".repeat(right);
    }
}
