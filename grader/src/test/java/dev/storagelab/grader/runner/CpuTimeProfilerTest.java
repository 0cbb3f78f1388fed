package dev.storagelab.grader.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.Aggregator;
import org.openjdk.jmh.results.ScalarResult;

class CpuTimeProfilerTest {

    @Test
    void theNameTheGraderPassesToJmhIsTheProfilersClass() {
        // The grader jar does not carry JMH, so it must name the profiler without loading it.
        assertThat(CpuTimeProfiler.NAME, equalTo(CpuTimeProfiler.class.getName()));
    }

    @Test
    void anIterationsScoreIsRestatedInTheCpuTimeItUsed() {
        // 1,000 ns/op of wall time while the JVM kept half a core busy: 500 ns/op of CPU time.
        assertThat(
                CpuTimeProfiler.restate(1000, "ns/op", false, 500_000_000L, 1_000_000_000L)
                        .getScore(),
                closeTo(500, 1e-9));
        // 2,000 ops/ms of wall time on half a core: 4,000 ops/ms per core.
        assertThat(
                CpuTimeProfiler.restate(2000, "ops/ms", true, 500_000_000L, 1_000_000_000L)
                        .getScore(),
                closeTo(4000, 1e-9));
    }

    @Test
    void aRunScoresItsCheapestIterationTheWayJmhFoldsThem() {
        // Three iterations of one run, the second and third dearer: cold caches after switches, the JIT, a collection.
        double run = fold(List.of(cpu(2600), cpu(6600), cpu(4000)));
        assertThat("a time per operation: the cheapest iteration", run, closeTo(2600, 1e-9));
        double throughput = fold(List.of(
                CpuTimeProfiler.restate(10, "ops/us", true, 1, 1),
                CpuTimeProfiler.restate(30, "ops/us", true, 1, 1),
                CpuTimeProfiler.restate(20, "ops/us", true, 1, 1)));
        assertThat("a throughput: the highest iteration", throughput, closeTo(30, 1e-9));
    }

    @Test
    void codeTwiceAsSlowStaysTwiceAsSlowWhateverIterationIsCheapest() {
        // The slow side costs twice the reference in every iteration; the noise lands on different iterations of each.
        double reference = fold(List.of(cpu(2600), cpu(5200), cpu(3900)));
        double slow = fold(List.of(cpu(2 * 4100), cpu(2 * 2600), cpu(2 * 3000)));
        assertThat("the ratio of the best iterations still shows the 2x", slow / reference, greaterThanOrEqualTo(2.0));
    }

    /** One iteration of {@code nanos} ns/op of wall time on one busy core. */
    private static ScalarResult cpu(double nanos) {
        return CpuTimeProfiler.restate(nanos, "ns/op", false, 1_000_000L, 1_000_000L);
    }

    /**
     * The run's score from its iterations, folded as JMH folds a run's secondary results: by a
     * result's iteration aggregator, which follows the policy the iterations' results carry.
     */
    private static double fold(List<ScalarResult> iterations) {
        var probe = new ScalarResult(CpuTimeProfiler.METRIC, 0, "ns/op", AggregationPolicy.AVG) {
            Aggregator<ScalarResult> iterationAggregator() {
                return getIterationAggregator();
            }
        };
        return probe.iterationAggregator().aggregate(iterations).getScore();
    }
}
