package dev.storagelab.hybrid.query.bench;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.hybrid.query.DemoTable;
import dev.storagelab.hybrid.query.Explain;
import dev.storagelab.hybrid.query.PlanKind;
import dev.storagelab.hybrid.query.Planner;
import dev.storagelab.hybrid.query.Predicate;
import dev.storagelab.hybrid.query.Query;
import dev.storagelab.hybrid.query.QueryCostModel;
import dev.storagelab.hybrid.query.Table;
import dev.storagelab.io.FaultInjectingStorage;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The planner's paths (lab-07 T11) on the demo table of {@code plannerRows} rows in a lab-04
 * B+tree on in-memory storage: {@code explain} (the plans costed from the histograms: what every
 * query pays before it runs), and a price range of {@code plannerSelectivity} run by the index
 * range scan and by the full scan. The figure that sweeps the selectivity on disk, and the held
 * set, is {@code PlannerCrossover}; this is the regression guard.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class PlannerBenchmark {

    @Param({"100000"})
    public int plannerRows;

    @Param({"0.001", "0.05"})
    public double plannerSelectivity;

    private OrderedStore store;
    private Planner planner;
    private Query query;
    private Explain explain;

    @Setup
    public void setUp() throws IOException {
        store = BPlusTree.open(new FaultInjectingStorage(1), BTreeOptions.defaults());
        Table table = DemoTable.load(store, plannerRows, 7);
        planner = new Planner(table, table.analyze(100), QueryCostModel.defaults());
        long width = Math.max(1, Math.round(plannerSelectivity * DemoTable.PRICES));
        query = Query.of("orders", Predicate.between("price", 1000L, 1000L + width - 1), Predicate.eq("region", "eu"));
        explain = planner.explain(query);
        List<?> byIndex = planner.execute(query, explain.plan(PlanKind.INDEX_RANGE_SCAN));
        List<?> byScan = planner.execute(query, explain.plan(PlanKind.FULL_SCAN));
        if (byIndex.size() != byScan.size()) {
            throw new IllegalStateException(
                    "the index scan found " + byIndex.size() + " rows, the full scan " + byScan.size());
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        store.close();
    }

    @Benchmark
    public Explain explain() {
        return planner.explain(query);
    }

    @Benchmark
    public int indexRangeScan() throws IOException {
        return planner.execute(query, explain.plan(PlanKind.INDEX_RANGE_SCAN)).size();
    }

    @Benchmark
    public int fullScan() throws IOException {
        return planner.execute(query, explain.plan(PlanKind.FULL_SCAN)).size();
    }
}
