package dev.storagelab.bounds.bench;

import static dev.storagelab.testkit.JmhSmoke.methodName;
import static dev.storagelab.testkit.JmhSmoke.methodNames;
import static dev.storagelab.testkit.JmhSmoke.runOnce;
import static dev.storagelab.testkit.JmhSmoke.secondary;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import dev.storagelab.kv.Bytes;
import dev.storagelab.testkit.JmhSmoke;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.RunnerException;

/**
 * Keeps the lab-02 benchmarks from rotting: runs each one in this JVM, once, briefly, with its
 * smallest data, and checks that every benchmark method produced a score (each benchmark also
 * checks its own results, and an exception fails the run). The numbers mean nothing here; the
 * full runs are documented in the handout and in notes/02-bounds.md.
 */
class BenchmarkSmokeTest {

    @Test
    void scanBenchmarkScoresEveryAccessPathAndCountsOneBlockPerGetInOneSegment() throws RunnerException {
        Collection<RunResult> results = runOnce(ScanBenchmark.class, Map.of("keys", "1000", "segments", "1,8"));

        assertThat(
                "four access paths and the cursor alone, for each of the two segment counts",
                methodNames(results),
                containsInAnyOrder(
                        "pointGet",
                        "seekAndScan100",
                        "hundredGets",
                        "keysetPage100",
                        "cursorDecodeAndEncode",
                        "pointGet",
                        "seekAndScan100",
                        "hundredGets",
                        "keysetPage100",
                        "cursorDecodeAndEncode"));
        results.forEach(JmhSmoke::assertPositiveScore);
        for (RunResult run : results) {
            if (methodName(run).equals("pointGet")
                    && run.getParams().getParam("segments").equals("1")) {
                double ops = secondary(run, "ops");
                assertThat("the benchmark counts its operations", ops, greaterThan(0.0));
                assertThat(
                        "with one segment and an empty memtable, a point get reads exactly one block",
                        secondary(run, "blocksRead"),
                        is(ops));
            }
        }
    }

    @Test
    void mergeBenchmarkScoresHeapAndStackedMerges() throws RunnerException {
        Collection<RunResult> results = runOnce(MergeBenchmark.class, Map.of("k", "1,4"));

        assertThat(
                methodNames(results),
                containsInAnyOrder("heapMerge", "stackedTwoWayMerge", "heapMerge", "stackedTwoWayMerge"));
        results.forEach(JmhSmoke::assertPositiveScore);
    }

    @Test
    void hashRingBenchmarkScoresOwnerAndHash() throws RunnerException {
        Collection<RunResult> results = runOnce(HashRingBenchmark.class, Map.of("nodes", "10", "virtualNodes", "100"));

        assertThat(methodNames(results), containsInAnyOrder("owner", "hashOnly"));
        results.forEach(JmhSmoke::assertPositiveScore);
    }

    @Test
    void ringMovementExperimentSeesKeysMoveOnlyToTheAddedNode() {
        List<Bytes> keys = RingMovement.keys(2000, 1);

        RingMovement.Result r = RingMovement.measure(4, 10, 2, keys);

        assertThat(
                "consistent hashing: adding a node moves keys to that node, never between old nodes",
                r.movedElsewhere(),
                is(0L));
        assertThat(
                "adding a fifth node takes some keys, but far from all of them (1/5 expected)",
                r.meanMoved(),
                allOf(greaterThan(0.0), lessThan(0.5)));
    }

    @Test
    void hotPartitionsExperimentRoutesEveryPostReadToOnePartition() {
        HotPartitions.Sizes sizes = new HotPartitions.Sizes(300, 6_000, 2_000);

        List<HotPartitions.Result> results = HotPartitions.run(sizes, new double[] {0.0, 1.2}, 7);

        assertThat("four schemes at two exponents", results.size(), is(8));
        for (HotPartitions.Result r : results) {
            String what = r.scheme() + " at Zipf " + r.exponent();
            assertThat(
                    what + ": every scheme serves the same reads",
                    r.postsRead(),
                    is(results.get(r.exponent() == 0 ? 0 : 4).postsRead()));
            assertThat(
                    what + ": the busiest partition has at least the fair share",
                    r.busiestRead(),
                    greaterThan(1.0 / HotPartitions.PARTITIONS - 1e-9));
            if (r.scheme().startsWith("ring-author")) {
                assertThat(what + ": an author's feed is on one partition, so a page reads one", r.fanOut(), is(1.0));
                assertThat(
                        what + ": keeping an author together, the busiest partition serves at least the top author",
                        r.busiestReadMin(),
                        greaterThan(r.topAuthorRead() - 1e-9));
            }
            if (r.scheme().equals("range")) {
                assertThat(
                        what + ": range boundaries at the quantiles store 1/16 each",
                        r.busiestData(),
                        lessThan(1.0 / HotPartitions.PARTITIONS + 1e-3));
            }
        }
        HotPartitions.Result skewedPost = results.get(7);
        HotPartitions.Result skewedAuthor = results.get(6);
        assertThat(
                "at Zipf 1.2, scattering posts over the ring balances the reads better than keeping authors together",
                skewedPost.busiestRead(),
                lessThan(skewedAuthor.busiestRead()));
        assertThat("... and a page then reads several partitions", skewedPost.fanOut(), greaterThan(2.0));
    }

    @Test
    void rolloutOverlapExperimentSeesArcsOverlapAllOrNothing() {
        double[] mixed = RolloutOverlap.overlaps(60, 4_000, 10, true);
        double[] arcs = RolloutOverlap.overlaps(60, 4_000, 10, false);

        assertThat(
                "mixed flags at 10% all share about 1% of the users (the least of 60 pairs)",
                mixed[0], greaterThan(0.005));
        assertThat(
                "mixed flags at 10% all share about 1% of the users (the most of 60 pairs)",
                mixed[59], lessThan(0.015));
        assertThat("arcs at 10%: most pairs share nobody (the median pair)", arcs[30], is(0.0));
    }
}
