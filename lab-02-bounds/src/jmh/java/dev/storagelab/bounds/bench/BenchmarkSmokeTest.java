package dev.storagelab.bounds.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;

import dev.storagelab.kv.Bytes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Keeps the lab-02 benchmarks from rotting: runs each one in this JVM, once, briefly, with its
 * smallest data, and checks that every benchmark method produced a score (each benchmark also
 * checks its own results, and an exception fails the run). The numbers mean nothing here; the
 * full runs are documented in the handout and in notes/02-bounds.md.
 */
class BenchmarkSmokeTest {

    @BeforeAll
    static void allowAnotherJmhRunAtTheSameTime() {
        // JMH refuses to start while another JMH run holds its lock file, to keep measurements
        // clean. A smoke test measures nothing, so it must not fail because a benchmark is running.
        System.setProperty("jmh.ignoreLock", "true");
    }

    @Test
    void scanBenchmarkScoresEveryAccessPathAndCountsOneBlockPerGetInOneSegment() throws RunnerException {
        Collection<RunResult> results = runOnce(ScanBenchmark.class, Map.of("keys", "1000", "segments", "1,8"));

        assertThat("four access paths and the cursor alone, for each of the two segment counts", methodNames(results),
                containsInAnyOrder("pointGet", "seekAndScan100", "hundredGets", "keysetPage100", "cursorDecodeAndEncode",
                        "pointGet", "seekAndScan100", "hundredGets", "keysetPage100", "cursorDecodeAndEncode"));
        results.forEach(BenchmarkSmokeTest::assertPositiveScore);
        for (RunResult run : results) {
            if (methodName(run).equals("pointGet") && run.getParams().getParam("segments").equals("1")) {
                double ops = secondary(run, "ops");
                assertThat("the benchmark counts its operations", ops, greaterThan(0.0));
                assertThat("with one segment and an empty memtable, a point get reads exactly one block",
                        secondary(run, "blocksRead"), is(ops));
            }
        }
    }

    @Test
    void mergeBenchmarkScoresHeapAndStackedMerges() throws RunnerException {
        Collection<RunResult> results = runOnce(MergeBenchmark.class, Map.of("k", "1,4"));

        assertThat(methodNames(results),
                containsInAnyOrder("heapMerge", "stackedTwoWayMerge", "heapMerge", "stackedTwoWayMerge"));
        results.forEach(BenchmarkSmokeTest::assertPositiveScore);
    }

    @Test
    void hashRingBenchmarkScoresOwnerAndHash() throws RunnerException {
        Collection<RunResult> results = runOnce(HashRingBenchmark.class, Map.of("nodes", "10", "virtualNodes", "100"));

        assertThat(methodNames(results), containsInAnyOrder("owner", "hashOnly"));
        results.forEach(BenchmarkSmokeTest::assertPositiveScore);
    }

    @Test
    void ringMovementExperimentSeesKeysMoveOnlyToTheAddedNode() {
        List<Bytes> keys = RingMovement.keys(2000, 1);

        RingMovement.Result r = RingMovement.measure(4, 10, 2, keys);

        assertThat("consistent hashing: adding a node moves keys to that node, never between old nodes",
                r.movedElsewhere(), is(0L));
        assertThat("adding a fifth node takes some keys, but far from all of them (1/5 expected)",
                r.meanMoved(), allOf(greaterThan(0.0), lessThan(0.5)));
    }

    /** Runs every method of {@code benchmark} once in this JVM: no fork, no warmup, 100 ms. */
    private static Collection<RunResult> runOnce(Class<?> benchmark, Map<String, String> params)
            throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("^" + Pattern.quote(benchmark.getName()) + "\\.")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT);
        params.forEach((name, values) -> options.param(name, values.split(",")));
        return new Runner(options.build()).run();
    }

    private static String methodName(RunResult r) {
        String benchmark = r.getParams().getBenchmark();
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    private static List<String> methodNames(Collection<RunResult> results) {
        List<String> names = new ArrayList<>();
        results.forEach(r -> names.add(methodName(r)));
        return names;
    }

    private static void assertPositiveScore(RunResult run) {
        Result<?> primary = run.getPrimaryResult();
        assertThat(run.getParams().getBenchmark() + " must produce a score", primary, notNullValue());
        assertThat(run.getParams().getBenchmark() + " " + run.getParams() + " must have a positive score",
                primary.getScore(), greaterThan(0.0));
    }

    private static double secondary(RunResult run, String counter) {
        Result<?> r = run.getSecondaryResults().get(counter);
        assertThat(run.getParams().getBenchmark() + " must report the counter " + counter, r, notNullValue());
        return r.getScore();
    }
}
