package dev.storagelab.hybrid.query;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The query planner: for a conjunction of predicates on one {@link Table}, the plans that can
 * answer it (a point lookup, an index range scan per predicate on an indexed column, a full scan),
 * each with its estimated rows from the table's histograms ({@link TableStats}) and its cost from
 * the calibrated {@link QueryCostModel}; it runs the cheapest. {@link #explain} shows them all.
 */
public final class Planner {

    private final Table table;
    private final TableStats stats;
    private final QueryCostModel cost;

    /** A planner of {@code table} with the statistics of its last ANALYZE and the machine's costs. */
    public Planner(Table table, TableStats stats, QueryCostModel cost) {
        this.table = Objects.requireNonNull(table, "table");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.cost = Objects.requireNonNull(cost, "cost");
    }

    public TableStats stats() {
        return stats;
    }

    public QueryCostModel costModel() {
        return cost;
    }

    /**
     * Every plan for {@code query}, cheapest first (a stable sort: on equal costs, the order below).
     * With {@code N = stats.rows()}, {@code r = stats.rowEntryBytes()},
     * {@code i = stats.indexEntryBytes()}, {@code est(p) = stats.estimate(schema, p)} and
     * {@code rows = N * product over the query's predicates of est(p) / N} (0 if N is 0):
     * <ol>
     *   <li>for each equality on the primary key, in query order, a {@link PlanKind#POINT_LOOKUP}
     *       reading by it: examines {@code min(1, est(p))} rows, costs {@code cost.lookup(r)};</li>
     *   <li>for each predicate on an indexed column, in query order, an
     *       {@link PlanKind#INDEX_RANGE_SCAN} reading by it, with {@code k = est(p)} matching
     *       entries: examines {@code k}, costs
     *       {@code cost.lookup(i) + cost.scan(k, i) + k * cost.lookup(r)} (a seek into the index,
     *       its entries in order, a get of each entry's row);</li>
     *   <li>one {@link PlanKind#FULL_SCAN}: reading by the primary-key range predicate of least
     *       {@code est(p)} (the first, on ties) if the query has one (examining {@code est(p)} rows),
     *       else by none (examining {@code N}); costs {@code cost.lookup(r) + cost.scan(examined, r)}
     *       (a seek to the first row, then every row in order).</li>
     * </ol>
     * Each plan returns {@code min(rows, examined)} rows.
     */
    public Explain explain(Query query) {
        Schema schema = table.schema();
        query.check(schema);
        // BEGIN SOLUTION lab-07 T11
        double n = stats.rows();
        double r = stats.rowEntryBytes();
        double i = stats.indexEntryBytes();
        double rows = n;
        for (Predicate p : query.predicates()) {
            rows = n == 0 ? 0 : rows * stats.estimate(schema, p) / n;
        }
        List<Plan> plans = new ArrayList<>();
        for (Predicate p : query.predicates()) {
            if (p.column().equals(schema.primaryKey()) && p.isEquality()) {
                double examined = Math.min(1, stats.estimate(schema, p));
                plans.add(new Plan(PlanKind.POINT_LOOKUP, p, examined, Math.min(rows, examined), cost.lookup(r)));
            }
        }
        for (Predicate p : query.predicates()) {
            if (schema.isIndexed(p.column())) {
                double k = stats.estimate(schema, p);
                double c = cost.lookup(i) + cost.scan(k, i) + k * cost.lookup(r);
                plans.add(new Plan(PlanKind.INDEX_RANGE_SCAN, p, k, Math.min(rows, k), c));
            }
        }
        Predicate pkRange = null;
        double examined = n;
        for (Predicate p : query.predicates()) {
            if (p.column().equals(schema.primaryKey())) {
                double e = stats.estimate(schema, p);
                if (pkRange == null || e < examined) {
                    pkRange = p;
                    examined = e;
                }
            }
        }
        plans.add(new Plan(
                PlanKind.FULL_SCAN,
                pkRange,
                examined,
                Math.min(rows, examined),
                cost.lookup(r) + cost.scan(examined, r)));
        plans.sort(Comparator.comparingDouble(Plan::cost));
        return new Explain(query, stats, plans);
        // END SOLUTION
    }

    /** The rows of {@code query}, by the cheapest plan. */
    public List<Row> execute(Query query) throws IOException {
        return execute(query, explain(query).chosen());
    }

    /**
     * The rows of {@code query} by {@code plan} (any plan of {@link #explain}: the figure runs each),
     * in the plan's order: every row the plan reads is checked against every predicate.
     */
    public List<Row> execute(Query query, Plan plan) throws IOException {
        Schema schema = table.schema();
        query.check(schema);
        List<Row> out = new ArrayList<>();
        switch (plan.kind()) {
            case POINT_LOOKUP -> {
                Optional<Row> row = table.get(plan.access().low());
                if (row.isPresent() && query.matches(schema, row.get())) {
                    out.add(row.get());
                }
            }
            case INDEX_RANGE_SCAN -> {
                for (Row row : table.indexScan(plan.access().column(), plan.access())) {
                    if (query.matches(schema, row)) {
                        out.add(row);
                    }
                }
            }
            case FULL_SCAN ->
                table.scan(plan.access(), row -> {
                    if (query.matches(schema, row)) {
                        out.add(row);
                    }
                });
        }
        return out;
    }
}
