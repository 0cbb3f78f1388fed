package dev.storagelab.hybrid.query;

import java.util.Locale;
import java.util.Objects;

/**
 * One way to run a query, costed.
 *
 * @param kind     point lookup, index range scan or full scan
 * @param access   the predicate the plan reads by: the primary key's equality (point lookup), the
 *                 indexed column's range (index range scan), a primary-key range or null (full scan)
 * @param examined the estimated rows the plan reads (index range scan: matching index entries,
 *                 each a row lookup; full scan: the rows in its key range)
 * @param rows     the estimated rows it returns: the table's rows times each predicate's
 *                 selectivity (predicates taken as independent), at most {@code examined}
 * @param cost     the estimated microseconds ({@link QueryCostModel})
 */
public record Plan(PlanKind kind, Predicate access, double examined, double rows, double cost) {

    public Plan {
        Objects.requireNonNull(kind, "kind");
        if (kind != PlanKind.FULL_SCAN) {
            Objects.requireNonNull(access, "a point lookup or index scan reads by a predicate");
        }
    }

    /** One line: the plan, what it reads by, its estimated rows and cost. */
    public String describe() {
        String by = switch (kind) {
            case POINT_LOOKUP -> "point lookup " + access;
            case INDEX_RANGE_SCAN -> "index range scan on " + access.column() + " (" + access + ")";
            case FULL_SCAN -> access == null ? "full scan" : "full scan of " + access;
        };
        return String.format(
                Locale.ROOT, "%s: examines ~%.0f rows, returns ~%.0f, cost %.1f us", by, examined, rows, cost);
    }

    @Override
    public String toString() {
        return describe();
    }
}
