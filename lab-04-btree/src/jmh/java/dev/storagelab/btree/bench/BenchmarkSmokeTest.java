package dev.storagelab.btree.bench;

import static dev.storagelab.testkit.JmhSmoke.assertPositiveScore;
import static dev.storagelab.testkit.JmhSmoke.methodName;
import static dev.storagelab.testkit.JmhSmoke.methodNames;
import static dev.storagelab.testkit.JmhSmoke.runOnce;
import static dev.storagelab.testkit.JmhSmoke.secondary;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.btree.TreeDump;
import dev.storagelab.testkit.BenchData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.RunnerException;

/**
 * Keeps the lab-04 benchmarks and experiments from rotting: runs each JMH benchmark in this JVM,
 * once, briefly, with 2,000 keys, and the counting experiments of {@link Lab04Experiments} at the
 * same size, and checks that every benchmark produced a score and its counters (each benchmark
 * also checks its own results) and that the counts have the shape the notes explain. The timings
 * mean nothing here; the full runs are documented in the lab-04 chapter of notes/.
 */
class BenchmarkSmokeTest {

    private static final String KEYS = "2000";

    /**
     * The experiments at smoke size: 2,000 keys (a tree of about 90 leaves under one root), four
     * pool sizes, and checkpoints every 100 updates or once at the end (a checkpoint forces the file
     * twice, so many more of them would cost seconds).
     */
    private static final Lab04Experiments.Sizes SMOKE = new Lab04Experiments.Sizes(
            2000,
            new int[] {16, 64, 256, 1024},
            1000,
            2000,
            2000,
            new int[] {100, 2000},
            BufferPoolExperiment.WORKLOADS);

    @Test
    void fillBenchmarkFillsBothStoresInBothOrdersAndCountsTheirWrites() throws RunnerException {
        Collection<RunResult> results = runOnce(FillBenchmark.class, Map.of("keys", KEYS));

        assertThat(
                "fill, for each store and each order",
                methodNames(results),
                containsInAnyOrder("fill", "fill", "fill", "fill"));
        for (RunResult run : results) {
            assertPositiveScore(run);
            String what =
                    run.getParams().getParam("impl") + ", " + run.getParams().getParam("order") + " order";
            assertThat(what + " must report its time per put", secondary(run, "keyOps"), greaterThan(0.0));
            double fills = secondary(run, "fills");
            assertThat(what + ": the counters count the fills", fills, greaterThan(0.0));
            assertThat(
                    what + ": the user bytes of a fill are its 2,000 keys and values",
                    secondary(run, "userBytesWritten") / fills,
                    closeTo(2000 * 116, 0.5));
            assertThat(
                    what + " must write every user byte to disk at least once (a log, or pages)",
                    secondary(run, "diskBytesWritten") / secondary(run, "userBytesWritten"),
                    greaterThan(1.0));
        }
    }

    @Test
    void bulkLoadBenchmarkBuildsBothWaysAndTheBulkLoadWritesFewerBytes() throws RunnerException {
        Collection<RunResult> results = runOnce(BulkLoadBenchmark.class, Map.of("keys", KEYS));

        assertThat("fillseq and bulkLoad", methodNames(results), containsInAnyOrder("fillseq", "bulkLoad"));
        Map<String, Double> bytesPerBuild = new HashMap<>();
        for (RunResult run : results) {
            assertPositiveScore(run);
            assertThat(methodName(run) + " must report its time per key", secondary(run, "keyOps"), greaterThan(0.0));
            bytesPerBuild.put(methodName(run), secondary(run, "diskBytesWritten") / secondary(run, "builds"));
        }
        assertThat(
                "a bulk load packs its leaves full and writes each page once; increasing puts leave every leaf"
                        + " about three quarters full, so they write a third more pages",
                bytesPerBuild.get("bulkLoad"),
                lessThan(0.85 * bytesPerBuild.get("fillseq")));
    }

    @Test
    void readBenchmarkReadsOnePageOrBlockPerGetAndMoreWithFourSegments() throws RunnerException {
        Collection<RunResult> results = runOnce(ReadBenchmark.class, Map.of("keys", KEYS));

        assertThat(
                "readrandom and seekscan, for each of the three stores",
                methodNames(results),
                containsInAnyOrder("readrandom", "readrandom", "readrandom", "seekscan", "seekscan", "seekscan"));
        for (RunResult run : results) {
            assertPositiveScore(run);
            String impl = run.getParams().getParam("impl");
            String what = impl + " " + methodName(run);
            assertThat(what + " must report its time per operation", secondary(run, "keyOps"), greaterThan(0.0));
            double ops = secondary(run, "ops");
            assertThat(what + " counts its operations", ops, greaterThan(0.0));
            double readsPerOp = secondary(run, "pageReads") / ops;
            if (!methodName(run).equals("readrandom")) {
                assertThat(
                        what + " must read at least one page or block per scan, or had nothing to report",
                        secondary(run, "pageReads"),
                        greaterThan(0.0));
                continue;
            }
            switch (impl) {
                case "BPlusTree" ->
                    assertThat(
                            what + ": a 2,000-key tree fits in the 1,024-frame pool, so after the first"
                                    + " reads a get misses less than once",
                            readsPerOp,
                            lessThanOrEqualTo(1.0));
                case "SortedLogStore" ->
                    assertThat(what + ": one segment, so every get reads exactly one block", readsPerOp, is(1.0));
                default ->
                    assertThat(
                            what + ": four segments spanning every key, newest first and no Bloom filters, so a"
                                    + " get reads from 1 to 4 blocks, 2.5 on average",
                            readsPerOp,
                            allOf(greaterThan(1.5), lessThanOrEqualTo(4.0)));
            }
        }
    }

    @Test
    void concurrencyBenchmarkRunsWritersAndAReaderWithLatchesAndOnTheTreeLock() throws RunnerException {
        Collection<RunResult> results = runOnce(ConcurrencyBenchmark.class, Map.of("keys", KEYS));

        assertThat(
                "one writer, two writers and readrandom, with latches and on the tree-wide lock",
                methodNames(results),
                containsInAnyOrder("oneWriter", "oneWriter", "twoWriters", "twoWriters", "readrandom", "readrandom"));
        for (RunResult run : results) {
            assertPositiveScore(run);
            assertThat(
                    methodName(run) + " with " + run.getParams().getParam("locking") + " ran its threads",
                    run.getParams().getThreads(),
                    is(methodName(run).equals("twoWriters") ? 2 : 1));
        }
    }

    /**
     * A benchmark that fails (every benchmark of the release does, at the first task not written
     * yet) leaves no directory: not when its trial's setup throws after making the trial's
     * directory, run by JMH or called directly, nor when its method throws after the invocation's
     * setup made one, as a bulk load refusing its fill factor does.
     */
    @Test
    void benchmarksThatFailLeaveNoDirectory(@TempDir Path benchDir) throws IOException {
        BenchData.withTrialDirectoriesIn(benchDir, () -> {
            assertThat(
                    "a setup that throws once its directory is made fails the run",
                    stackTrace(assertThrows(
                            RunnerException.class,
                            () -> runOnce(ReadBenchmark.class, Map.of("keys", KEYS, "impl", "NoSuchStore")))),
                    containsString("ReadBenchmark.load("));
            ReadBenchmark read = new ReadBenchmark();
            read.impl = "NoSuchStore";
            read.keys = 2000;
            assertThrows(IllegalArgumentException.class, read::load, "a setup called directly throws the same");
            assertThat(
                    "a benchmark method that throws fails the run",
                    stackTrace(assertThrows(
                            RunnerException.class,
                            () -> runOnce(BulkLoadBenchmark.class, Map.of("keys", KEYS, "fillFactor", "2.0")))),
                    containsString("BulkLoadBenchmark.bulkLoad("));
        });

        try (Stream<Path> left = Files.list(benchDir)) {
            assertThat("no trial or invocation directory is left", left.toList(), empty());
        }
    }

    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    @Test
    @SuppressWarnings("unchecked")
    void experimentsMeasureTheFillTheHitRatesAndTheWriteAmplificationTheNotesExplain() throws IOException {
        Map<String, Object> results = Lab04Experiments.run(
                SMOKE, List.of(Lab04Experiments.LEAF_FILL, Lab04Experiments.BUFFER_POOL, Lab04Experiments.WRITE_AMP));

        List<LeafFillExperiment.Row> fill = (List<LeafFillExperiment.Row>) rows(results, Lab04Experiments.LEAF_FILL);
        assertThat("random, sequential and three bulk loads", fill, hasSize(5));
        assertThat(
                "random puts leave leaves about ln 2 = 69% full (" + fill.get(0) + ")",
                fill.get(0).leafFill(),
                closeTo(0.69, 0.08));
        assertThat(
                "increasing puts leave the left leaf of each split three quarters full and never touch it again:"
                        + " about 75% (" + fill.get(1) + ")",
                fill.get(1).leafFill(),
                closeTo(0.75, 0.04));
        assertThat(
                "a bulk load with fill factor 1.0 packs its leaves (" + fill.get(2) + ")",
                fill.get(2).leafFill(),
                greaterThanOrEqualTo(0.95));

        List<BufferPoolExperiment.Row> pool =
                (List<BufferPoolExperiment.Row>) rows(results, Lab04Experiments.BUFFER_POOL);
        assertThat("3 workloads x 2 replacers x 4 pool sizes", pool, hasSize(6 * SMOKE.poolSizes().length));
        TreeDump.Stats tree =
                (TreeDump.Stats) ((Map<String, Object>) results.get(Lab04Experiments.BUFFER_POOL)).get("tree");
        for (int i = 1; i < pool.size(); i++) {
            assertLruHitsNoLessInALargerPool(pool.get(i - 1), pool.get(i));
        }
        for (BufferPoolExperiment.Row r : pool) {
            if (r.workload().equals("uniform") && r.poolFrames() >= tree.leaves() + tree.internalPages()) {
                assertThat(
                        r + ": the whole tree fits in the pool, and the uniform warm-up gets have read every page",
                        r.misses(),
                        is(0L));
            }
            if (r.workload().equals("uniform") && r.poolFrames() >= 4 * (tree.internalPages() + 1)) {
                assertThat(
                        r + ": once the internal pages stay cached, a get misses at most once, on its leaf",
                        r.missesPerGet(),
                        lessThanOrEqualTo(1.0));
            }
        }

        List<WriteAmplificationExperiment.Row> writes =
                (List<WriteAmplificationExperiment.Row>) rows(results, Lab04Experiments.WRITE_AMP);
        for (WriteAmplificationExperiment.Row r : writes) {
            assertThat(
                    r + " must write more bytes to disk than the user wrote", r.writeAmplification(), greaterThan(1.0));
        }
        for (String workload : List.of("uniform", "zipfian")) {
            List<WriteAmplificationExperiment.Row> cached = writes.stream()
                    .filter(r ->
                            r.store().equals("BPlusTree") && r.workload().equals(workload) && r.poolFrames() == 65536)
                    .toList();
            assertThat(
                    workload + " updates with a pool that holds the tree: one row per checkpoint interval",
                    cached,
                    hasSize(2));
            assertThat(
                    workload + ": a checkpoint every 100 updates writes their leaves (and the page table and meta page)"
                            + " each time; one at the end writes each dirty leaf once, however often it was updated",
                    cached.get(1).writeAmplification(),
                    lessThan(cached.get(0).writeAmplification() / 4));
        }
    }

    /**
     * LRU is a stack algorithm (Mattson et al., 1970): a pool one size larger holds everything the
     * smaller one holds, so its hit rate can only be the same or higher. Checked for consecutive
     * rows of the same workload and LRU.
     */
    private static void assertLruHitsNoLessInALargerPool(
            BufferPoolExperiment.Row smaller, BufferPoolExperiment.Row larger) {
        if (smaller.workload().equals(larger.workload())
                && smaller.replacer().equals("LRU")
                && larger.replacer().equals("LRU")
                && larger.poolFrames() > smaller.poolFrames()) {
            assertThat(
                    "LRU with " + larger.poolFrames() + " frames (" + larger + ") must hit at least as often as with "
                            + smaller.poolFrames() + " (" + smaller + ")",
                    larger.hits(),
                    greaterThanOrEqualTo(smaller.hits()));
        }
    }

    private static List<?> rows(Map<String, Object> results, String experiment) {
        Map<?, ?> envelope = (Map<?, ?>) results.get(experiment);
        assertThat(experiment + " must have run", envelope != null, is(true));
        return (List<?>) envelope.get("rows");
    }
}
