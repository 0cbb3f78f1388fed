package dev.storagelab.lsm.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lsm.Block;
import dev.storagelab.lsm.BloomFilter;
import dev.storagelab.lsm.Table;
import dev.storagelab.testkit.AnswerCheck;
import dev.storagelab.testkit.BenchData;
import dev.storagelab.testkit.WrongAnswers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The rubric's lab-05 benchmarks check their answers: run directly (no JMH, no timing), they pass
 * on the reference and throw, naming the wrong answer, on wrong filters and wrong lookups.
 */
class BenchmarkAnswersTest {

    /** A pass of the absent probes and then some: every false-positive count and a few hundred samples checked. */
    private static final int BLOOM_OPS = 3 * (1 << 14);

    private static BloomBenchmark bloom() throws IOException {
        BloomBenchmark bench = new BloomBenchmark();
        bench.keys = 20_000;
        bench.build();
        return bench;
    }

    /** The benchmark's probes around {@code filter}, made here (the wrong filters a test plants need no writer). */
    private static BloomBenchmark bloomWith(BloomFilter filter) {
        BloomBenchmark bench = new BloomBenchmark();
        bench.keys = 20_000;
        bench.makeProbes();
        bench.filter = filter;
        return bench;
    }

    private static BloomFilter filterOf(int from, int count, int bitsPerKey) throws CorruptionException {
        List<byte[]> keys = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            keys.add(String.format("user%012d", i).getBytes(StandardCharsets.US_ASCII));
        }
        return BloomFilter.open(BloomFilter.build(keys, bitsPerKey), "bench.sst", 0);
    }

    @Test
    void bloomBenchmarkPassesTheReferenceWithinTheFalsePositiveBound() throws IOException {
        BloomBenchmark bench = bloom();
        BloomBenchmark.Outcomes outcomes = new BloomBenchmark.Outcomes();
        for (int n = 0; n < BLOOM_OPS; n++) {
            bench.mayContain(outcomes);
        }
        assertThat(
                "the reference's false positives stay under the bound, with room",
                outcomes.maybe * 100.0 / BLOOM_OPS < BloomBenchmark.MAX_FALSE_POSITIVE_PERCENT * 0.9,
                is(true));
    }

    @Test
    void bloomBenchmarkRefusesAFilterWithFalseNegatives() throws IOException {
        // the filter of other keys: it misses the added ones
        BloomBenchmark bench = bloomWith(filterOf(1_000_000, 20_000, 10));
        BloomBenchmark.Outcomes outcomes = new BloomBenchmark.Outcomes();
        assertThat(
                WrongAnswers.within(BLOOM_OPS, () -> bench.mayContain(outcomes)),
                allOf(
                        startsWith("wrong answer: mayContain(user"),
                        containsString(") returned false for a key that was added")));
    }

    @Test
    void bloomBenchmarkRefusesAFilterThatAnswersMaybeTooOften() throws IOException {
        // right keys, too few bits: about 40% false positives
        BloomBenchmark bench = bloomWith(filterOf(0, 20_000, 2));
        BloomBenchmark.Outcomes outcomes = new BloomBenchmark.Outcomes();
        assertThat(
                WrongAnswers.within(BLOOM_OPS, () -> bench.mayContain(outcomes)),
                allOf(
                        startsWith("wrong answer: mayContain answered true for "),
                        containsString(" of 16384 keys never added")));
    }

    @Test
    void blockBenchmarkPassesTheReferenceAndRefusesAnotherKeyOrValue() throws CorruptionException {
        BlockBenchmark bench = new BlockBenchmark();
        bench.entries = 256;
        bench.build();
        BlockBenchmark.Work work = new BlockBenchmark.Work();
        for (int n = 0; n < 5000; n++) {
            bench.get(work);
        }
        double perSeek = (double) bench.countedComparisons / bench.countedSeeks;
        assertThat(
                "the counting pass: 256 entries, 16 restarts: log2(16) = 4 restart keys and about 8 entries of one"
                        + " interval a seek: " + perSeek,
                perSeek,
                allOf(greaterThan(6.0), lessThan(16.0)));

        Block.Cursor cursor = bench.block.cursor();
        cursor.seekToFirst();
        byte[] firstKey = cursor.key();
        byte[] firstValue = cursor.value();
        long sampled = 0;
        while (!AnswerCheck.sampled(sampled)) {
            sampled++;
        }
        long op = sampled;
        assertThat(
                "a seek that lands on another key fails the benchmark",
                assertThrows(
                                IllegalStateException.class,
                                () -> bench.checked(1, probeOtherThanFirst(bench), firstKey, firstValue))
                        .getMessage(),
                allOf(startsWith("wrong answer: seek("), containsString(") landed on the key ")));
        int probe = probeOtherThanFirst(bench);
        cursor.seek(bench.seekKeys[probe]);
        byte[] key = cursor.key();
        assertThat(
                "the probe's own entry with another value fails the benchmark on the sample",
                assertThrows(IllegalStateException.class, () -> bench.checked((int) op, probe, key, firstValue))
                        .getMessage(),
                containsString(
                        " with a value other than the one written; the block holds one version of the key, PUT #"));
    }

    /** A probe whose key is not the block's first. */
    private static int probeOtherThanFirst(BlockBenchmark bench) throws CorruptionException {
        for (int i = 0; ; i++) {
            Block.Cursor cursor = bench.block.cursor();
            cursor.seek(bench.seekKeys[i]);
            Block.Cursor first = bench.block.cursor();
            first.seekToFirst();
            if (!Arrays.equals(cursor.key(), first.key())) {
                return i;
            }
        }
    }

    @Test
    void tableBenchmarkPassesTheReferenceAndRefusesAnotherVersionOrValue() throws IOException {
        TableBenchmark bench = new TableBenchmark();
        bench.keys = 2000;
        bench.cache = true;
        bench.build();
        try {
            TableBenchmark.Work work = new TableBenchmark.Work();
            Bytes first = bench.getPresent(work);
            for (int n = 0; n < 5000; n++) {
                bench.getPresent(work);
                bench.getAbsent();
            }
            assertThat(
                    "the counting pass: 4,096 gets of 2,000 keys in about 70 blocks read each block once, into the cache",
                    bench.countedReads,
                    allOf(greaterThan(50L), lessThan(100L)));

            Table.Lookup right = Table.Lookup.put(bench.sequences[0], first);
            bench.checkedPresent(true, 0, right);
            assertThat(
                    "another key's version fails the benchmark",
                    assertThrows(
                                    IllegalStateException.class,
                                    () -> bench.checkedPresent(false, 0, Table.Lookup.put(right.sequence() + 1, first)))
                            .getMessage(),
                    allOf(
                            startsWith("wrong answer: get("),
                            containsString(") returned PUT #" + (right.sequence() + 1) + "; the table holds PUT #")));
            assertThat(
                    "a value other than the one written fails the benchmark on the sample",
                    assertThrows(
                                    IllegalStateException.class,
                                    () -> bench.checkedPresent(
                                            true,
                                            0,
                                            Table.Lookup.put(right.sequence(), Bytes.wrap(BenchData.valueBytes(0, 0)))))
                            .getMessage(),
                    containsString("with a value other than the one written"));
            assertThat(
                    "a lookup that misses a present key fails the benchmark",
                    assertThrows(
                                    IllegalStateException.class,
                                    () -> bench.checkedPresent(false, 0, Table.Lookup.NOT_FOUND))
                            .getMessage(),
                    containsString(") returned NOT_FOUND #-1;"));
        } finally {
            bench.close();
        }
    }

    @Test
    void lsmStoreBenchmarkPassesTheReferenceAndRefusesMissingStaleAndInventedValues() throws IOException {
        LsmStoreBenchmark bench = new LsmStoreBenchmark();
        bench.keys = 2000;
        bench.load();
        try {
            LsmStoreBenchmark.Work work = new LsmStoreBenchmark.Work();
            for (int n = 0; n < 5000; n++) {
                bench.get();
                bench.getMissing(work);
            }
            double perGet = (double) bench.countedReads / bench.countedGets;
            assertThat(
                    "the counting pass: gets of keys never put, which the filters answer: " + perGet,
                    perGet,
                    lessThan(0.1));

            assertThat(
                    "a get that finds nothing fails the benchmark",
                    assertThrows(IllegalStateException.class, () -> bench.checkedGet(false, 0, Optional.empty()))
                            .getMessage(),
                    allOf(
                            startsWith("wrong answer: get("),
                            containsString(") returned no value; the loaded data has one")));
            int stale = staleProbe(bench);
            Bytes first = Bytes.wrap(BenchData.valueBytes(
                    Long.parseLong(bench.present[stale].toUtf8().substring(3)), 1));
            assertThat(
                    "the first version of a key written twice fails the benchmark on the sample",
                    assertThrows(IllegalStateException.class, () -> bench.checkedGet(true, stale, Optional.of(first)))
                            .getMessage(),
                    containsString("returned a value other than the newest one put for it"));
            assertThat(
                    "a value for a key never put fails the benchmark",
                    assertThrows(IllegalStateException.class, () -> bench.checkedMissing(0, Optional.of(first)))
                            .getMessage(),
                    containsString("returned a value; that key was never put"));
        } finally {
            bench.close();
        }
    }

    /** A probe whose key was written twice: its newest value is not its first. */
    private static int staleProbe(LsmStoreBenchmark bench) {
        for (int i = 0; ; i++) {
            long k = Long.parseLong(bench.present[i].toUtf8().substring(3));
            if (!bench.newest[i].equals(Bytes.wrap(BenchData.valueBytes(k, 1)))) {
                return i;
            }
        }
    }
}
