package dev.storagelab.bst.bench;

import static dev.storagelab.testkit.JmhSmoke.assertPositiveScore;
import static dev.storagelab.testkit.JmhSmoke.methodName;
import static dev.storagelab.testkit.JmhSmoke.methodNames;
import static dev.storagelab.testkit.JmhSmoke.runOnce;
import static dev.storagelab.testkit.JmhSmoke.secondary;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.RunnerException;

/**
 * Keeps the lab-03 benchmarks from rotting: runs each one in this JVM, once, briefly, with 1,000
 * keys, and checks that every benchmark method produced a score (each benchmark also checks its
 * own results, and an exception fails the run), plus the shape the degeneration figure shows. The
 * numbers mean nothing here; the full runs are documented in the lab-03 chapter of notes/.
 */
class BenchmarkSmokeTest {

    private static final String KEYS = "1000";

    @Test
    void orderedMapBenchmarkScoresPutGetAndIterateForEveryMap() throws RunnerException {
        Collection<RunResult> results = runOnce(OrderedMapBenchmark.class, Map.of("keys", KEYS));

        List<String> expected = new ArrayList<>();
        for (String method : List.of("put", "get", "iterate")) {
            // AvlMap, TreeMap, SkipListMap, ConcurrentSkipListMap and BstMap
            expected.addAll(Collections.nCopies(5, method));
        }
        assertThat(
                "put, get and iterate for each of the five maps",
                methodNames(results),
                containsInAnyOrder(expected.toArray()));
        for (RunResult run : results) {
            assertPositiveScore(run);
            assertThat(
                    run.getParams().getBenchmark() + " " + run.getParams()
                            + " must report its time per key, the number the notes compare",
                    secondary(run, "keyOps"),
                    greaterThan(0.0));
        }
    }

    @Test
    void degenerationBenchmarkSeesASortedBstAsHighAsItIsLargeAndAvlTreesLogarithmic() throws RunnerException {
        Collection<RunResult> results = runOnce(BstDegenerationBenchmark.class, Map.of("keys", KEYS));

        assertThat(
                "BstMap and AvlMap, each from random and from sorted input",
                methodNames(results),
                containsInAnyOrder("build", "build", "build", "build"));
        int n = Integer.parseInt(KEYS);
        double log2 = Math.log(n) / Math.log(2);
        for (RunResult run : results) {
            assertPositiveScore(run);
            double builds = secondary(run, "builds");
            assertThat("the benchmark counts the trees it builds", builds, greaterThan(0.0));
            double height = secondary(run, "height") / builds;
            String impl = run.getParams().getParam("impl");
            String order = run.getParams().getParam("order");
            String what = impl + " built from " + n + " " + order + " keys";
            if (impl.equals("AvlMap")) {
                // AVL's bound: height < 1.4405·log2(n + 2) − 0.3277, whatever the input order.
                assertThat(
                        what + " must stay within the AVL height bound 1.44·log2(n + 2)",
                        height,
                        lessThan(1.4405 * Math.log(n + 2) / Math.log(2) - 0.3277));
            } else if (order.equals("sorted")) {
                assertThat(
                        what + ": each key becomes the right child of the last, so the tree is a list of n nodes",
                        height,
                        is((double) n));
            } else {
                // A random BST is about 3·log2(n) high (Devroye: 4.311·ln n); far from n.
                assertThat(
                        what + " must be shallow: a random BST is about 3·log2(n) high",
                        height,
                        lessThanOrEqualTo(4 * log2));
            }
        }
    }

    @Test
    void memtableBenchmarkScoresApplyGetScanAndReadsWhileWritingForBothMemtables() throws RunnerException {
        Collection<RunResult> results = runOnce(MemtableBenchmark.class, Map.of("keys", KEYS));

        assertThat(
                "apply, get, scan and the reader-writer group, for each of the two memtables",
                methodNames(results),
                containsInAnyOrder("apply", "get", "scan", "readWhileWrite", "apply", "get", "scan", "readWhileWrite"));
        for (RunResult run : results) {
            assertPositiveScore(run);
            if (methodName(run).equals("readWhileWrite")) {
                assertThat("the writer's time per apply", secondary(run, "writer"), greaterThan(0.0));
                assertThat("the reader's time per get", secondary(run, "reader"), greaterThan(0.0));
            } else {
                assertThat(
                        run.getParams().getBenchmark() + " " + run.getParams() + " must report its time per entry",
                        secondary(run, "keyOps"),
                        greaterThan(0.0));
            }
        }
    }
}
