package dev.storagelab.hybrid.query;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * T11: the planner's choices on a table whose histograms have known answers: orders 0..9999, price
 * {@code id % 1000} (each price 10 rows), region one of four, costs in round figures (a row lookup
 * costs 12 us, a scanned row about 1 us: the crossover is near 8%).
 */
class PlannerTest {

    private static Table table;
    private static TableStats stats;
    private static Planner planner;
    private static final QueryCostModel COSTS = QueryFixtures.roundCosts();

    @BeforeAll
    static void load() throws IOException {
        table = QueryFixtures.ordersTable(10_000);
        stats = table.analyze(100);
        planner = new Planner(table, stats, COSTS);
    }

    private static Query q(Predicate... ps) {
        return Query.of("orders", ps);
    }

    @Test
    void analyzeCountsTheRowsAndBuildsAHistogramPerColumn() {
        assertThat(stats.rows(), equalTo(10_000L));
        assertThat(stats.histograms().keySet(), equalTo(java.util.Set.of("id", "price", "region", "note")));
        assertThat(
                "10 rows per price",
                stats.estimate(QueryFixtures.ORDERS, Predicate.eq("price", 17L)),
                closeTo(10, 1e-9));
        assertThat(
                "a quarter of the rows per region",
                stats.estimate(QueryFixtures.ORDERS, Predicate.eq("region", "eu")),
                closeTo(2_500, 1e-9));
    }

    @Test
    void anEqualityOnThePrimaryKeyIsAPointLookup() {
        Explain e = planner.explain(q(Predicate.between("price", 0L, 999L), Predicate.eq("id", 42L)));
        assertThat(e.toString(), e.chosen().kind(), equalTo(PlanKind.POINT_LOOKUP));
        assertThat(e.chosen().cost(), closeTo(COSTS.lookup(stats.rowEntryBytes()), 1e-9));
    }

    @Test
    void aNarrowRangeOnAnIndexedColumnUsesTheIndex() throws IOException {
        Query query = q(Predicate.between("price", 10L, 14L)); // 50 rows of 10,000
        Explain e = planner.explain(query);
        assertThat(e.toString(), e.chosen().kind(), equalTo(PlanKind.INDEX_RANGE_SCAN));
        assertThat(e.chosen().examined(), closeTo(50, 1e-9));
        assertThat(planner.execute(query), hasSize(50));
    }

    @Test
    void aWideRangeScansTheWholeTable() throws IOException {
        Query query = q(Predicate.between("price", 0L, 499L)); // half the rows
        Explain e = planner.explain(query);
        assertThat(e.toString(), e.chosen().kind(), equalTo(PlanKind.FULL_SCAN));
        assertThat(planner.execute(query), hasSize(5_000));
    }

    @Test
    void eachPlanCostsWhatTheJavadocsFormulaSays() {
        Explain e = planner.explain(q(Predicate.between("price", 100L, 199L), Predicate.eq("region", "eu")));
        double r = stats.rowEntryBytes();
        double i = stats.indexEntryBytes();
        Plan index = e.plans().stream()
                .filter(p -> p.kind() == PlanKind.INDEX_RANGE_SCAN
                        && p.access().column().equals("price"))
                .findFirst()
                .orElseThrow();
        assertThat("price's 1,000 entries", index.examined(), closeTo(1_000, 1e-9));
        assertThat(index.cost(), closeTo(COSTS.lookup(i) + COSTS.scan(1_000, i) + 1_000 * COSTS.lookup(r), 1e-6));
        Plan full = e.plan(PlanKind.FULL_SCAN);
        assertThat(full.examined(), closeTo(10_000, 1e-9));
        assertThat(full.cost(), closeTo(COSTS.lookup(r) + COSTS.scan(10_000, r), 1e-6));
        assertThat("rows: 10,000 x 10% x 25%", full.rows(), closeTo(250, 1e-6));
        assertThat("a plan per index predicate and the full scan", e.plans(), hasSize(3));
    }

    @Test
    void explainShowsTheChosenPlanAndTheAlternativesCheapestFirst() {
        Explain e = planner.explain(q(Predicate.eq("region", "eu"), Predicate.between("price", 5L, 6L)));
        List<Plan> plans = e.plans();
        for (int k = 1; k < plans.size(); k++) {
            assertThat("cheapest first", plans.get(k - 1).cost() <= plans.get(k).cost(), equalTo(true));
        }
        String text = e.toString();
        assertThat(text, containsString("chosen: index range scan on price"));
        assertThat(text, containsString("alternative: full scan"));
        assertThat(text, containsString("alternative: index range scan on region"));
    }

    @Test
    void theChoiceFlipsOnceFromTheIndexToTheFullScanNearThePredictedCrossover() {
        double crossover = COSTS.crossover(stats.rowEntryBytes(), stats.indexEntryBytes());
        int flips = 0;
        PlanKind last = null;
        int flippedAt = -1;
        for (int width = 1; width <= 1000; width++) {
            PlanKind k = planner.explain(q(Predicate.between("price", 0L, (long) width - 1)))
                    .chosen()
                    .kind();
            if (last != null && k != last) {
                flips++;
                flippedAt = width;
            }
            last = k;
        }
        assertThat("one flip, index to full scan", flips, equalTo(1));
        assertThat(last, equalTo(PlanKind.FULL_SCAN));
        assertThat("the flip at the crossover selectivity " + crossover, flippedAt / 1000.0, closeTo(crossover, 0.002));
    }

    @Test
    void aPrimaryKeyRangeNarrowsTheFullScan() {
        Explain e = planner.explain(q(Predicate.between("id", 100L, 199L), Predicate.eq("region", "eu")));
        assertThat(e.toString(), e.chosen().kind(), equalTo(PlanKind.FULL_SCAN));
        assertThat("the scan reads the id range only", e.chosen().examined(), closeTo(100, 1e-9));
    }
}
