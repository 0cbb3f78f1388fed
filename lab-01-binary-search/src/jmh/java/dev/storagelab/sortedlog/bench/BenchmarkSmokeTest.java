package dev.storagelab.sortedlog.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;

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
 * Keeps the lab-01 benchmarks from rotting: runs each one in this JVM, once, briefly, with its
 * smallest data, and checks that every benchmark method produced a score. The numbers mean
 * nothing here; the full runs are documented in the handout and in notes/01-binary-search.md.
 */
class BenchmarkSmokeTest {

    @BeforeAll
    static void allowAnotherJmhRunAtTheSameTime() {
        // JMH refuses to start while another JMH run holds its lock file, to keep measurements
        // clean. A smoke test measures nothing, so it must not fail because a benchmark is running.
        System.setProperty("jmh.ignoreLock", "true");
    }

    @Test
    void reopenBenchmarkScoresBothEngines() throws RunnerException {
        Collection<RunResult> results = runOnce(ReopenBenchmark.class, Map.of("records", "1000"));

        assertThat("one result per engine", methodNames(results),
                containsInAnyOrder("hashIndexLogReopen", "sortedLogStoreReopen"));
        results.forEach(BenchmarkSmokeTest::assertPositiveScore);
    }

    @Test
    void segmentLookupBenchmarkScoresAndCountsOneBlockReadPerLookup() throws RunnerException {
        int blockSize = 256;
        Collection<RunResult> results = runOnce(SegmentLookupBenchmark.class,
                Map.of("blockSize", String.valueOf(blockSize), "entries", "2000"));

        assertThat(methodNames(results), containsInAnyOrder("get"));
        RunResult run = results.iterator().next();
        assertPositiveScore(run);
        double lookups = secondary(run, "lookups");
        assertThat("the benchmark counts its lookups", lookups, greaterThan(0.0));
        assertThat("SegmentReader.get reads exactly one block for a key inside the segment",
                secondary(run, "blocksRead"), is(lookups));
        assertThat("a lookup reads one block, and with 125-byte entries no block exceeds the target size",
                secondary(run, "bytesRead") / lookups, allOf(greaterThan(0.0), lessThanOrEqualTo((double) blockSize)));
    }

    @Test
    void binarySearchBenchmarkScoresLabAndJdkVariants() throws RunnerException {
        Collection<RunResult> results = runOnce(BinarySearchBenchmark.class, Map.of("size", "1024"));

        assertThat(methodNames(results),
                containsInAnyOrder("labIntArray", "jdkIntArray", "labKeyList", "jdkKeyList"));
        results.forEach(BenchmarkSmokeTest::assertPositiveScore);
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
        params.forEach(options::param);
        return new Runner(options.build()).run();
    }

    private static List<String> methodNames(Collection<RunResult> results) {
        List<String> names = new ArrayList<>();
        for (RunResult r : results) {
            String benchmark = r.getParams().getBenchmark();
            names.add(benchmark.substring(benchmark.lastIndexOf('.') + 1));
        }
        return names;
    }

    private static void assertPositiveScore(RunResult run) {
        Result<?> primary = run.getPrimaryResult();
        assertThat(run.getParams().getBenchmark() + " must produce a score", primary, notNullValue());
        assertThat(run.getParams().getBenchmark() + " must take a positive time per operation",
                primary.getScore(), greaterThan(0.0));
    }

    private static double secondary(RunResult run, String counter) {
        Result<?> r = run.getSecondaryResults().get(counter);
        assertThat(run.getParams().getBenchmark() + " must report the counter " + counter, r, notNullValue());
        return r.getScore();
    }
}
