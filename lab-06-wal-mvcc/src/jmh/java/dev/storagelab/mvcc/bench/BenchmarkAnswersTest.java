package dev.storagelab.mvcc.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import dev.storagelab.kv.Entry;
import dev.storagelab.mvcc.MemoryOrderedStore;
import dev.storagelab.mvcc.MvccStore;
import dev.storagelab.testkit.WrongAnswers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rubric's lab-06 benchmarks check their answers: run directly (no JMH, no timing), they pass
 * on the reference and throw, naming the wrong answer, on stores that answer wrongly.
 */
class BenchmarkAnswersTest {

    private static final int OPS = 3000;

    private static MvccBenchmark loaded() throws IOException {
        return loaded(0);
    }

    private static MvccBenchmark loaded(int warmupReads) throws IOException {
        MvccBenchmark bench = new MvccBenchmark();
        bench.mvccEngine = "memory";
        bench.mvccKeys = 500;
        bench.versionsPerKey = 4;
        bench.sequentialSkip = 8;
        bench.warmupReads = warmupReads;
        bench.load();
        return bench;
    }

    /**
     * A store that keeps one version per key, overwritten in place, and so answers every snapshot
     * with the newest value: the fast, wrong MVCC. Every {@code stride}th key only.
     */
    private static MvccStore inPlace(MvccBenchmark bench, int stride) throws IOException {
        MvccStore store = new MvccStore(new MemoryOrderedStore(), 8);
        List<Entry> writes = new ArrayList<>();
        for (int k = 0; k < bench.mvccKeys; k += stride) {
            writes.add(Entry.put(bench.keys[k], MvccBenchmark.valueAt(k, bench.versionsPerKey)));
        }
        store.write(1, writes);
        return store;
    }

    @Test
    void getOldestPassesTheReferenceAndRefusesAStoreThatAnswersTheNewestVersion() throws IOException {
        MvccBenchmark bench = loaded();
        MvccStore reference = bench.store;
        try {
            for (int n = 0; n < OPS; n++) {
                bench.getOldest();
                bench.getNewest();
            }

            bench.store = inPlace(bench, 1);
            assertThat(
                    "a get at the first snapshot that returns the newest version fails the benchmark",
                    WrongAnswers.within(OPS, bench::getOldest),
                    allOf(
                            startsWith("wrong answer: get("),
                            containsString(", readTs 1) returned a value other than the one written at timestamp 1")));
        } finally {
            bench.store.close();
            bench.store = reference;
            bench.close();
        }
    }

    @Test
    void garbageCollectionIsCountedAsOneSequentialScanOfTheVersions() throws IOException {
        MvccBenchmark bench = loaded();
        try {
            assertThat(
                    "the counting pass: one scan opened, each of the 4 versions of a key read once",
                    (double) bench.countedEngineReads / bench.countedKeys,
                    closeTo(4.0, 0.01));
            assertThat("a pass finds every key", bench.collectGarbage(new MvccBenchmark.Work()), greaterThan(0L));
        } finally {
            bench.close();
        }
    }

    @Test
    void theUntimedWarmUpReadsCheckEveryAnswer() throws IOException {
        MvccBenchmark bench = loaded(2000); // the reference: every warm-up read answers right
        MvccStore reference = bench.store;
        try {
            bench.store = inPlace(bench, 1);
            assertThat(
                    "a warm-up read at the first snapshot that returns the newest version fails the setup",
                    WrongAnswers.within(1, () -> bench.warmUp(2)),
                    allOf(
                            startsWith("wrong answer: get("),
                            containsString(
                                    ", readTs 1) returned a value other than the one written" + " at timestamp 1")));
        } finally {
            bench.store.close();
            bench.store = reference;
            bench.close();
        }
    }

    @Test
    void scanOldest100PassesTheReferenceAndRefusesStaleValuesAndMissingKeys() throws IOException {
        MvccBenchmark bench = loaded();
        MvccStore reference = bench.store;
        try {
            for (int n = 0; n < OPS; n++) {
                assertThat("a scan returns at most 100 entries", bench.scanOldest100() <= 100, is(true));
            }

            bench.store = inPlace(bench, 1);
            assertThat(
                    "a scan that returns the newest versions fails the benchmark on the sample",
                    WrongAnswers.within(OPS, bench::scanOldest100),
                    allOf(
                            startsWith("wrong answer: entry 0 of the scan from "),
                            containsString(" is its key with a value other than the one written at timestamp 1")));
            bench.store.close();

            bench.store = inPlace(bench, 2);
            assertThat(
                    "a scan that misses keys fails the benchmark on its first call",
                    WrongAnswers.within(1, bench::scanOldest100),
                    allOf(startsWith("wrong answer: the scan from "), containsString(" at readTs 1 returned ")));
        } finally {
            bench.store.close();
            bench.store = reference;
            bench.close();
        }
    }
}
