package dev.storagelab.sortedlog.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.testkit.BenchData;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The rubric's lab-01 benchmarks check their answers: run directly (no JMH, no timing), they pass
 * on the reference and throw, naming the wrong answer, when the answer is wrong.
 */
class BenchmarkAnswersTest {

    @Test
    void binarySearchBenchmarkPassesTheReferenceAndRefusesAWrongIndex() {
        BinarySearchBenchmark bench = new BinarySearchBenchmark();
        bench.size = 1024;
        bench.build();
        BinarySearchBenchmark.Cursor cursor = new BinarySearchBenchmark.Cursor();
        for (int n = 0; n < 5000; n++) {
            bench.labKeyList(cursor, new BinarySearchBenchmark.Work());
            bench.labIntArray(cursor);
        }

        // Probe 0 of the seeded probes, answered as a search that skips the last step would: one off.
        int right = bench.checked(0, bench.labIntArray(new BinarySearchBenchmark.Cursor()));
        IllegalStateException wrong = assertThrows(
                IllegalStateException.class,
                () -> bench.checked(0, right + 1),
                "an index one off the contract's answer must fail the benchmark");
        assertThat(
                "the message names the search, its answer and the right one",
                wrong.getMessage(),
                allOf(
                        startsWith("wrong answer: the search for "),
                        containsString(" returned " + (right + 1) + ";"),
                        containsString(" is " + right)));
        assertThrows(
                IllegalStateException.class,
                () -> bench.checked(0, -1 - Math.abs(right)),
                "a miss claimed for a present key, or a wrong insertion point, must fail the benchmark");
    }

    @Test
    void binarySearchCountsAboutLogSizeComparisonsPerSearch() {
        BinarySearchBenchmark bench = new BinarySearchBenchmark();
        bench.size = 1024;
        bench.build();
        double perSearch = (double) bench.countedComparisons / bench.countedSearches;
        assertThat(
                "log2(1024) + 1 = 11 at most, about 10 on average: " + perSearch,
                perSearch,
                allOf(greaterThan(9.0), lessThanOrEqualTo(11.0)));
        long first = bench.countedComparisons;
        bench.countComparisons();
        assertThat("the same searches make the same count", bench.countedComparisons, equalTo(first));
    }

    @Test
    void segmentLookupBenchmarkPassesTheReferenceAndRefusesMissingOtherAndStaleEntries() throws IOException {
        SegmentLookupBenchmark bench = new SegmentLookupBenchmark();
        bench.blockSize = 256;
        bench.entries = 2000;
        bench.writeSegment();
        try {
            SegmentLookupBenchmark.IoCounters io = new SegmentLookupBenchmark.IoCounters();
            io.start(bench);
            SegmentLookupBenchmark.Work work = new SegmentLookupBenchmark.Work();
            Entry first = bench.get(io, work);
            for (int n = 0; n < 5000; n++) {
                bench.get(io, work);
            }
            assertThat(
                    "the counting pass reads one block of about 256 bytes (or one larger entry) a lookup",
                    (double) bench.countedBytesRead / bench.countedGets,
                    allOf(greaterThan(100.0), lessThanOrEqualTo(512.0)));

            Bytes key = first.key();
            assertThat(
                    "a get that finds nothing fails the benchmark",
                    assertThrows(IllegalStateException.class, () -> bench.checked(0, null))
                            .getMessage(),
                    allOf(
                            startsWith("wrong answer: get(" + key + ") returned nothing"),
                            containsString("holds a put of that key")));
            Entry stale = Entry.put(key, Bytes.wrap(BenchData.valueBytes(7, 7)));
            assertThat(
                    "a value other than the one written fails the benchmark",
                    assertThrows(IllegalStateException.class, () -> bench.checked(0, stale))
                            .getMessage(),
                    containsString("returned a value other than the one written for it"));
            assertThat(
                    "a tombstone fails the benchmark",
                    assertThrows(IllegalStateException.class, () -> bench.checked(0, Entry.tombstone(key)))
                            .getMessage(),
                    containsString("returned a tombstone"));
            Entry other = Entry.put(Bytes.wrap(BenchData.keyBytes(bench.entries + 1)), first.value());
            assertThat(
                    "another key's entry fails the benchmark",
                    assertThrows(IllegalStateException.class, () -> bench.checked(0, other))
                            .getMessage(),
                    containsString("returned the entry of " + other.key()));
        } finally {
            bench.deleteFiles();
        }
    }
}
