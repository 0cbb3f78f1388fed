package dev.storagelab.hybrid.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The lab-07 hybrid benchmarks check their answers: run directly (no JMH, no timing), they pass on
 * the reference and throw, naming the wrong answer, on a missing value, a stale value, and a scan
 * that is short, out of order, skips a key or returns a stale value.
 */
class BenchmarkAnswersTest {

    @Test
    void arenaMixPassesTheReferenceAndRefusesMissingStaleAndSkippedAnswers() throws IOException {
        ArenaMixBenchmark bench = new ArenaMixBenchmark();
        bench.arenaMemoryKiB = 64; // the setup's warm-up already runs 20,000 checked operations
        bench.load();
        try {
            for (int n = 0; n < 5000; n++) {
                bench.op();
            }

            long stock = 1; // product 0's stock: read-modify-written by the mix, or not, either way its newest value is
            // known
            Bytes key = ArenaMixBenchmark.productKey("stock/", 0);
            assertThat(
                    "a get that finds nothing fails the benchmark",
                    assertThrows(
                                    IllegalStateException.class,
                                    () -> bench.checkedGet(false, stock, key, Optional.empty()))
                            .getMessage(),
                    allOf(
                            startsWith("wrong answer: get(" + key + ")"),
                            containsString("returned no value; the key was put")));
            bench.versions[1]++; // the store now holds a version behind the newest one the benchmark knows
            assertThat(
                    "a stale value fails the benchmark on the sample",
                    assertThrows(
                                    IllegalStateException.class,
                                    () -> bench.checkedGet(
                                            true,
                                            stock,
                                            key,
                                            Optional.of(ArenaMixBenchmark.value(stock, bench.versions[1] - 1))))
                            .getMessage(),
                    containsString("returned a value other than the newest one put for it"));
            bench.versions[1]--;

            Entry[] scan = scan(bench, 0);
            bench.checkedScan(true, 0, scan, ArenaMixBenchmark.SCAN);
            assertThat(
                    "a short scan fails the benchmark",
                    assertThrows(
                                    IllegalStateException.class,
                                    () -> bench.checkedScan(false, 0, scan, ArenaMixBenchmark.SCAN - 1))
                            .getMessage(),
                    containsString(" entries; the store holds more than 20 from there"));
            Entry[] swapped = scan.clone();
            swapped[3] = scan[4];
            swapped[4] = scan[3];
            assertThat(
                    "a scan out of key order fails the benchmark",
                    assertThrows(
                                    IllegalStateException.class,
                                    () -> bench.checkedScan(false, 0, swapped, ArenaMixBenchmark.SCAN))
                            .getMessage(),
                    containsString("; a scan's keys increase"));
            Entry[] skipped = Arrays.copyOf(Arrays.copyOfRange(scan, 1, scan.length), scan.length);
            skipped[scan.length - 1] = next(bench, scan[scan.length - 1].key());
            assertThat(
                    "a scan that skips a key fails the benchmark on the sample",
                    assertThrows(
                                    IllegalStateException.class,
                                    () -> bench.checkedScan(true, 0, skipped, ArenaMixBenchmark.SCAN))
                            .getMessage(),
                    allOf(startsWith("wrong answer: scan("), containsString(" at position 0; the store holds ")));
            Entry[] stale = scan.clone();
            stale[5] = Entry.put(scan[5].key(), ArenaMixBenchmark.value(12345, 6));
            assertThat(
                    "a scan that returns another value fails the benchmark on the sample",
                    assertThrows(
                                    IllegalStateException.class,
                                    () -> bench.checkedScan(true, 0, stale, ArenaMixBenchmark.SCAN))
                            .getMessage(),
                    containsString(" with a value other than the newest one put for it"));
        } finally {
            bench.close();
        }
    }

    /** The reference store's first {@value ArenaMixBenchmark#SCAN} entries of a customer's history scan. */
    private static Entry[] scan(ArenaMixBenchmark bench, long customer) throws IOException {
        Entry[] got = new Entry[ArenaMixBenchmark.SCAN];
        try (EntryIterator it = bench.store().scan(ArenaMixBenchmark.historyStart(customer), null)) {
            for (int n = 0; n < got.length; n++) {
                got[n] = it.next();
            }
        }
        return got;
    }

    /** The reference store's entry after {@code key}. */
    private static Entry next(ArenaMixBenchmark bench, Bytes key) throws IOException {
        try (EntryIterator it = bench.store().scan(key, null)) {
            it.next();
            return it.next();
        }
    }

    @Test
    void hybridBenchmarkPassesTheReferenceAndRefusesMissingStaleAndSkippedAnswers() throws IOException {
        HybridBenchmark bench = new HybridBenchmark();
        bench.hybridKeys = 2000;
        bench.load();
        try {
            for (int n = 0; n < 500; n++) {
                bench.get();
                bench.scan100();
                bench.batchPut100();
            }

            assertThat(
                    "a get that finds nothing fails the benchmark",
                    assertThrows(IllegalStateException.class, () -> bench.checkedGet(false, 7, Optional.empty()))
                            .getMessage(),
                    allOf(
                            startsWith("wrong answer: get(\"key0000000000007\")"),
                            containsString("returned no value; the key was put")));
            Bytes stale = HybridBenchmark.value(7, bench.versions[7] + 1);
            assertThat(
                    "a value other than the newest fails the benchmark on the sample",
                    assertThrows(IllegalStateException.class, () -> bench.checkedGet(true, 7, Optional.of(stale)))
                            .getMessage(),
                    containsString("returned a value other than the newest one put for it"));

            Entry[] scan = new Entry[HybridBenchmark.SCAN];
            for (int i = 0; i < scan.length; i++) {
                scan[i] = Entry.put(HybridBenchmark.key(10 + i), HybridBenchmark.value(10 + i, bench.versions[10 + i]));
            }
            bench.checkedScan(true, 10, HybridBenchmark.key(10), scan, scan.length);
            assertThat(
                    "a scan that stops early fails the benchmark",
                    assertThrows(
                                    IllegalStateException.class,
                                    () -> bench.checkedScan(false, 10, HybridBenchmark.key(10), scan, 50))
                            .getMessage(),
                    containsString("returned 50 entries; the store holds 100 from there"));
            assertThat(
                    "near the end, a scan returns what is left, and no more",
                    assertThrows(
                                    IllegalStateException.class,
                                    () -> bench.checkedScan(false, 1950, HybridBenchmark.key(1950), scan, 100))
                            .getMessage(),
                    containsString("returned 100 entries; the store holds 50 from there"));
            Entry[] skipped = scan.clone();
            skipped[0] = Entry.put(HybridBenchmark.key(9), HybridBenchmark.value(9, bench.versions[9]));
            assertThat(
                    "a scan that starts before its key fails the benchmark",
                    assertThrows(
                                    IllegalStateException.class,
                                    () -> bench.checkedScan(false, 10, HybridBenchmark.key(10), skipped, scan.length))
                            .getMessage(),
                    containsString("returned \"key0000000000009\" first; a scan's keys increase"));
            Entry[] missing = Arrays.copyOf(Arrays.copyOfRange(scan, 1, scan.length), scan.length);
            missing[scan.length - 1] =
                    Entry.put(HybridBenchmark.key(110), HybridBenchmark.value(110, bench.versions[110]));
            assertThat(
                    "a scan that skips a key fails the benchmark on the sample",
                    assertThrows(
                                    IllegalStateException.class,
                                    () -> bench.checkedScan(true, 10, HybridBenchmark.key(10), missing, scan.length))
                            .getMessage(),
                    containsString(" at position 0; the store holds \"key0000000000010\" there"));
            Entry[] swapped = scan.clone();
            swapped[1] = scan[2];
            swapped[2] = scan[1];
            assertThat(
                    "a scan out of key order fails the benchmark",
                    assertThrows(
                                    IllegalStateException.class,
                                    () -> bench.checkedScan(false, 10, HybridBenchmark.key(10), swapped, scan.length))
                            .getMessage(),
                    containsString("; a scan's keys increase"));
            Entry[] staleScan = scan.clone();
            staleScan[9] = Entry.put(scan[9].key(), stale);
            assertThat(
                    "a scan that returns another value fails the benchmark on the sample",
                    assertThrows(
                                    IllegalStateException.class,
                                    () -> bench.checkedScan(true, 10, HybridBenchmark.key(10), staleScan, scan.length))
                            .getMessage(),
                    containsString("\"key0000000000019\" with a value other than the newest one put for it"));
        } finally {
            bench.close();
        }
    }
}
