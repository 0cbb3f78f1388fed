package dev.storagelab.bounds.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.testkit.AnswerCheck;
import dev.storagelab.testkit.BenchData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rubric's lab-02 benchmarks check their answers: run directly (no JMH, no timing), they pass
 * on the reference and throw, naming the wrong answer, on a wrong one.
 */
class BenchmarkAnswersTest {

    @Test
    void mergeBenchmarkPassesTheHeapMergeAndRefusesAMergeOutOfOrderOrShort() {
        MergeBenchmark bench = new MergeBenchmark();
        bench.k = 8;
        bench.deal();

        assertThat(
                "the reference's heap merge returns every entry", bench.heapMerge(), is((long) MergeBenchmark.ENTRIES));

        // A "merge" that concatenates its sources: every entry, fast, in the wrong order from entry 1 on.
        List<Entry> concatenated = new ArrayList<>();
        bench.sources.forEach(concatenated::addAll);
        long checked = firstSampledFrom(1);
        assertThat(
                "a merge out of key order fails the benchmark at the first entry of the sample",
                assertThrows(IllegalStateException.class, () -> bench.drain(EntryIterator.of(concatenated.iterator())))
                        .getMessage(),
                allOf(
                        startsWith("wrong answer: entry " + checked + " of the merge is the key "
                                + concatenated.get((int) checked).key()),
                        containsString("; in key order it is "
                                + Entry.put(Bytes.wrap(BenchData.keyBytes(checked)), Bytes.EMPTY)
                                        .key())));
        // A merge that loses the last source's entries: wrong from entry k - 1 on.
        List<Entry> lossy = new ArrayList<>();
        for (int i = 0; i < MergeBenchmark.ENTRIES; i++) {
            if (i % bench.k != bench.k - 1) {
                lossy.add(bench.sources.get(i % bench.k).get(i / bench.k));
            }
        }
        assertThat(
                "a merge that drops entries fails the benchmark",
                assertThrows(IllegalStateException.class, () -> bench.drain(EntryIterator.of(lossy.iterator())))
                        .getMessage(),
                startsWith("wrong answer: entry " + firstSampledFrom(bench.k - 1) + " of the merge is the key "));
    }

    private static long firstSampledFrom(long n) {
        while (!AnswerCheck.sampled(n)) {
            n++;
        }
        return n;
    }

    @Test
    void scanBenchmarkPassesTheReferenceAndRefusesShortScansAndWrongEntries() throws IOException {
        ScanBenchmark bench = new ScanBenchmark();
        bench.keys = 1000;
        bench.segments = 8;
        bench.load();
        try {
            ScanBenchmark.IoCounters io = new ScanBenchmark.IoCounters();
            io.start(bench);
            ScanBenchmark.Work work = new ScanBenchmark.Work();
            for (int n = 0; n < 300; n++) {
                bench.seekAndScan100(io, work);
            }
            double perScan = (double) bench.countedReads / bench.countedScans;
            assertThat(
                    "the counting pass: a scan of 100 of 1,000 keys in 8 segments of a few blocks each reads a"
                            + " block or two of each: " + perScan,
                    perScan,
                    allOf(greaterThanOrEqualTo(8.0), lessThanOrEqualTo(24.0)));

            Bytes from = bench.allKeys[10];
            Entry last = Entry.put(bench.allKeys[108], bench.values[108]);
            assertThat(
                    "a scan that stops one entry short fails the benchmark",
                    assertThrows(IllegalStateException.class, () -> bench.checkedScan(10, 99, last))
                            .getMessage(),
                    allOf(
                            startsWith("wrong answer: the scan from " + from + " returned 99 entries"),
                            containsString("the store holds 100 keys from there on, the last " + bench.allKeys[109])));
            Entry stale = Entry.put(bench.allKeys[12], bench.values[13]);
            assertThat(
                    "an entry with another key's value fails the benchmark",
                    assertThrows(IllegalStateException.class, () -> bench.checkedEntry(10, 2, stale))
                            .getMessage(),
                    containsString("entry 2 of the scan from " + from
                            + " is its key with a value other than the one written"));
            Entry skipped = Entry.put(bench.allKeys[13], bench.values[13]);
            assertThat(
                    "a scan that skips a key fails the benchmark",
                    assertThrows(IllegalStateException.class, () -> bench.checkedEntry(10, 2, skipped))
                            .getMessage(),
                    containsString("is the key " + bench.allKeys[13]));
        } finally {
            bench.close();
        }
    }
}
