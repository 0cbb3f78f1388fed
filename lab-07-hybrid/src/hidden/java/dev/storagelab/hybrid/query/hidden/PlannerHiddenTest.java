package dev.storagelab.hybrid.query.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.storagelab.hybrid.cost.HardwareProfile;
import dev.storagelab.hybrid.query.Explain;
import dev.storagelab.hybrid.query.Histogram;
import dev.storagelab.hybrid.query.Plan;
import dev.storagelab.hybrid.query.PlanKind;
import dev.storagelab.hybrid.query.Planner;
import dev.storagelab.hybrid.query.Predicate;
import dev.storagelab.hybrid.query.Query;
import dev.storagelab.hybrid.query.QueryCostModel;
import dev.storagelab.hybrid.query.QueryFixtures;
import dev.storagelab.hybrid.query.Table;
import dev.storagelab.hybrid.query.TableKeys;
import dev.storagelab.hybrid.query.TableStats;
import dev.storagelab.lab.Graded;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the planner (lab-07 T11) on statistics built by hand, so every estimate and cost
 * is known: 1000 rows of 500 bytes, index entries of 40; ids 0..999 in buckets of 100; prices
 * [0, 99] 500 rows of 100 values and [100, 999] 500 rows of 500 distinct values; regions eu 600 and us 400. Costs:
 * a lookup 5 us of CPU and 80% of a 100 us random read (85 us), a scanned entry 0.5 us and its
 * bytes at 1000 MB/s.
 */
@Tag("hidden")
class PlannerHiddenTest {

    private static final QueryCostModel COSTS = new QueryCostModel(
            new HardwareProfile("hidden", 100, 1000, 10, 1000, 100, 2, 2, 2, 2, 1, 1, 1, 1, 1), 5, 0.5, 0.2);
    private static final double LOOKUP = 85;
    private static final double SCAN_ROW = 0.5 + 0.5;
    private static final double SCAN_INDEX = 0.5 + 0.04;

    private static Planner planner() {
        double[] idLow = new double[10];
        double[] idHigh = new double[10];
        long[] hundred = new long[10];
        for (int i = 0; i < 10; i++) {
            idLow[i] = 100 * i;
            idHigh[i] = 100 * i + 99;
            hundred[i] = 100;
        }
        Histogram id = new Histogram(idLow, idHigh, hundred, hundred);
        Histogram price = new Histogram(
                new double[] {0, 100}, new double[] {99, 999}, new long[] {500, 500}, new long[] {100, 500});
        double eu = TableKeys.position("eu");
        double us = TableKeys.position("us");
        Histogram region =
                new Histogram(new double[] {eu, us}, new double[] {eu, us}, new long[] {600, 400}, new long[] {1, 1});
        Histogram note = new Histogram(new double[] {0}, new double[] {1e12}, new long[] {1000}, new long[] {1000});
        TableStats stats =
                new TableStats(1000, 500, 40, Map.of("id", id, "price", price, "region", region, "note", note));
        return new Planner(Table.open(new QueryFixtures.MemoryStore(), QueryFixtures.ORDERS), stats, COSTS);
    }

    private static Query q(Predicate... ps) {
        return Query.of("orders", ps);
    }

    private static void plan(
            String what, Plan p, PlanKind kind, String access, double examined, double rows, double cost) {
        assertThat(what + ": kind", p.kind(), equalTo(kind));
        assertThat(what + ": reads by", String.valueOf(p.access()), equalTo(access));
        assertThat(what + ": examined", p.examined(), closeTo(examined, 1e-6));
        assertThat(what + ": rows", p.rows(), closeTo(rows, 1e-6));
        assertThat(what + ": cost", p.cost(), closeTo(cost, 1e-6));
    }

    @Test
    @Graded(
            task = "T11",
            points = 4,
            concept = "the plans' costs and estimates do not follow the formulas: an index range scan costs "
                    + "lookup(index entry) + scan(k, index entry) + k * lookup(row), a full scan lookup(row) + scan(N, row), rows are N "
                    + "times every predicate's selectivity, the cheapest plan first")
    void everyPlanOfAConjunctionIsCostedAsSpecified() {
        Explain e = planner().explain(q(Predicate.between("price", 0L, 49L), Predicate.eq("region", "eu")));
        List<Plan> plans = e.plans();
        assertThat(e.toString(), plans, hasSize(3));
        plan("full scan", plans.get(0), PlanKind.FULL_SCAN, "null", 1000, 150, LOOKUP + 1000 * SCAN_ROW);
        plan(
                "price index",
                plans.get(1),
                PlanKind.INDEX_RANGE_SCAN,
                "price between 0 and 49",
                250,
                150,
                LOOKUP + 250 * SCAN_INDEX + 250 * LOOKUP);
        plan(
                "region index",
                plans.get(2),
                PlanKind.INDEX_RANGE_SCAN,
                "region = 'eu'",
                600,
                150,
                LOOKUP + 600 * SCAN_INDEX + 600 * LOOKUP);
        Explain narrow =
                planner().explain(q(Predicate.eq("region", "us"), new Predicate("price", 10L, false, 13L, false)));
        plan(
                "exclusive ends: prices 11 and 12",
                narrow.chosen(),
                PlanKind.INDEX_RANGE_SCAN,
                "price > 10 and price < 13",
                10,
                4,
                LOOKUP + 10 * SCAN_INDEX + 10 * LOOKUP);
    }

    @Test
    @Graded(
            task = "T11",
            points = 2,
            concept = "an equality on the primary key is not a point lookup of cost lookup(row) examining "
                    + "min(1, est) rows, one per such equality in query order, ahead of every index and scan")
    void primaryKeyEqualitiesArePointLookups() {
        Explain e = planner()
                .explain(q(
                        Predicate.eq("region", "eu"),
                        Predicate.eq("id", 5L),
                        Predicate.between("price", 0L, 0L),
                        Predicate.eq("id", 5_000L)));
        plan("id = 5", e.plans().get(0), PlanKind.POINT_LOOKUP, "id = 5", 1, 0, LOOKUP);
        plan("id = 5000, outside every bucket", e.plans().get(1), PlanKind.POINT_LOOKUP, "id = 5000", 0, 0, LOOKUP);
        assertThat("two point lookups, one full scan, two index scans", e.plans(), hasSize(5));
        plan(
                "the full scan reads by the primary-key predicate of least estimate: id = 5000, nothing to read",
                e.plans().get(2),
                PlanKind.FULL_SCAN,
                "id = 5000",
                0,
                0,
                LOOKUP);
        assertThat(
                "then the price index (5 rows)",
                e.plans().get(3).access(),
                equalTo(Predicate.between("price", 0L, 0L)));
    }

    @Test
    @Graded(
            task = "T11",
            points = 3,
            concept = "the choice does not flip from the index range scan to the full scan exactly where their "
                    + "costs cross as a range widens (the estimate inside a bucket interpolated, the costs compared)")
    void theChoiceFlipsExactlyWhereTheCostsCross() {
        Planner p = planner();
        // in [100, 999] each price is 500/900 rows: index 85 + 85.54 k against 1085, so k < 11.69: widths up to 21
        for (int width = 1; width <= 200; width++) {
            Explain e = p.explain(q(Predicate.between("price", 100L, 100L + width - 1)));
            assertThat(
                    "width " + width + "\n" + e,
                    e.chosen().kind(),
                    equalTo(width <= 21 ? PlanKind.INDEX_RANGE_SCAN : PlanKind.FULL_SCAN));
        }
    }

    @Test
    @Graded(
            task = "T11",
            points = 2,
            concept = "the full scan does not read only the primary-key range of least estimate when the query "
                    + "bounds the primary key")
    void aPrimaryKeyRangeBoundsTheFullScan() {
        Explain e = planner()
                .explain(q(
                        Predicate.greater("id", 100L, true),
                        Predicate.between("price", 0L, 9L),
                        Predicate.less("id", 300L, false)));
        plan(
                "full scan of ids < 300",
                e.chosen(),
                PlanKind.FULL_SCAN,
                "id < 300",
                300,
                1000 * 0.9 * 0.05 * 0.3,
                LOOKUP + 300 * SCAN_ROW);
        Plan index = e.plan(PlanKind.INDEX_RANGE_SCAN);
        assertThat(index.cost(), closeTo(LOOKUP + 50 * SCAN_INDEX + 50 * LOOKUP, 1e-6));
    }

    @Test
    @Graded(
            task = "T11",
            points = 2,
            concept =
                    "an empty range, a query without predicates or on unindexed columns only are not planned "
                            + "as specified (an empty index range costs its seek only; only the full scan without an index predicate)")
    void emptyRangesAndQueriesWithoutAnIndex() {
        Planner p = planner();
        Explain empty = p.explain(q(Predicate.between("price", 5L, 3L), Predicate.eq("region", "eu")));
        plan("an empty price range", empty.chosen(), PlanKind.INDEX_RANGE_SCAN, "price between 5 and 3", 0, 0, LOOKUP);
        Explain all = p.explain(q());
        assertThat(all.plans(), hasSize(1));
        plan("no predicate", all.chosen(), PlanKind.FULL_SCAN, "null", 1000, 1000, LOOKUP + 1000 * SCAN_ROW);
        Explain note = p.explain(q(Predicate.less("note", "m", true)));
        assertThat("an unindexed column: the full scan alone", note.plans(), hasSize(1));
        assertThat(note.chosen().kind(), equalTo(PlanKind.FULL_SCAN));
    }
}
