package dev.storagelab.hybrid.query;

import java.util.Locale;
import java.util.Map;

/**
 * What ANALYZE learned about a table ({@link Table#analyze}): its rows, the average bytes of a
 * row entry and of an index entry (key and value, as the store holds them), and an equi-depth
 * {@link Histogram} per column. The planner's estimates come from here, never from the data.
 *
 * @param rows            the rows counted
 * @param rowEntryBytes   the average row entry: its key and its encoded row
 * @param indexEntryBytes the average index entry: its key (the value is empty)
 * @param histograms      a histogram per column, by name
 */
public record TableStats(long rows, double rowEntryBytes, double indexEntryBytes, Map<String, Histogram> histograms) {

    public TableStats {
        histograms = Map.copyOf(histograms);
    }

    /**
     * The estimated rows that satisfy {@code p}: its column's histogram asked for the range's
     * positions; an exclusive end of a long column moves in by one ({@code > 5} is {@code >= 6});
     * an exclusive end of a string column is taken as inclusive (positions of strings are not
     * exact anyway); an empty range is 0.
     */
    public double estimate(Schema schema, Predicate p) {
        if (p.isEmpty()) {
            return 0;
        }
        Histogram h = histograms.get(p.column());
        if (h == null) {
            throw new IllegalArgumentException("no histogram of column " + p.column() + ": ANALYZE first");
        }
        boolean isLong = schema.column(p.column()).type() == ColumnType.LONG;
        double lo = p.low() == null
                ? Double.NEGATIVE_INFINITY
                : TableKeys.position(p.low()) + (isLong && !p.lowInclusive() ? 1 : 0);
        double hi = p.high() == null
                ? Double.POSITIVE_INFINITY
                : TableKeys.position(p.high()) - (isLong && !p.highInclusive() ? 1 : 0);
        return Math.min(rows, h.estimate(lo, hi));
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "%d rows, %.0f bytes per row entry, %.0f per index entry",
                rows,
                rowEntryBytes,
                indexEntryBytes);
    }
}
