package dev.storagelab.sortedlog.bench;

import static dev.storagelab.testkit.JmhSmoke.assertPositiveScore;
import static dev.storagelab.testkit.JmhSmoke.methodNames;
import static dev.storagelab.testkit.JmhSmoke.runOnce;
import static dev.storagelab.testkit.JmhSmoke.secondary;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.testkit.JmhSmoke;
import java.util.Collection;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.RunnerException;

/**
 * Keeps the lab-01 benchmarks from rotting: runs each one in this JVM, once, briefly, with its
 * smallest data, and checks that every benchmark method produced a score. The numbers mean
 * nothing here; the full runs are documented in the handout and in notes/01-binary-search.md.
 */
class BenchmarkSmokeTest {

    @Test
    void reopenBenchmarkScoresBothEngines() throws RunnerException {
        Collection<RunResult> results = runOnce(ReopenBenchmark.class, Map.of("records", "1000"));

        assertThat(
                "one result per engine",
                methodNames(results),
                containsInAnyOrder("hashIndexLogReopen", "sortedLogStoreReopen"));
        results.forEach(JmhSmoke::assertPositiveScore);
    }

    @Test
    void segmentLookupBenchmarkScoresAndCountsOneBlockReadPerLookup() throws RunnerException {
        int blockSize = 256;
        Collection<RunResult> results = runOnce(
                SegmentLookupBenchmark.class, Map.of("blockSize", String.valueOf(blockSize), "entries", "2000"));

        assertThat(methodNames(results), containsInAnyOrder("get"));
        RunResult run = results.iterator().next();
        assertPositiveScore(run);
        double lookups = secondary(run, "lookups");
        assertThat("the benchmark counts its lookups", lookups, greaterThan(0.0));
        assertThat(
                "SegmentReader.get reads exactly one block for a key inside the segment",
                secondary(run, "blocksRead"),
                is(lookups));
        assertThat(
                "a lookup reads one block, and with 125-byte entries no block exceeds the target size",
                secondary(run, "bytesRead") / lookups,
                allOf(greaterThan(0.0), lessThanOrEqualTo((double) blockSize)));
    }

    @Test
    void binarySearchBenchmarkScoresLabAndJdkVariants() throws RunnerException {
        Collection<RunResult> results = runOnce(BinarySearchBenchmark.class, Map.of("size", "1024"));

        assertThat(methodNames(results), containsInAnyOrder("labIntArray", "jdkIntArray", "labKeyList", "jdkKeyList"));
        results.forEach(JmhSmoke::assertPositiveScore);
    }
}
