package dev.storagelab.hybrid.track;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.hybrid.cost.AccessStats;
import dev.storagelab.kv.Bytes;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The access tracker (given code over lab-07 T2's sketch): counts per kind of access, bounded
 * memory, aging, appends told from random writes.
 */
class AccessTrackerTest {

    private static Bytes order(int i) {
        return Bytes.of(String.format("ord:%010d", i));
    }

    @Test
    void readsWritesAndScansAreCountedApart() {
        AccessTracker t = new AccessTracker(1024, 1 << 20);
        Bytes k = Bytes.of("price:42");
        for (int i = 0; i < 30; i++) {
            t.recordRead(k);
        }
        for (int i = 0; i < 5; i++) {
            t.recordWrite(k);
        }
        t.recordScan(k, 100);
        AccessStats s = t.stats(k, 120);
        assertThat(s.reads(), equalTo(30.0));
        assertThat(s.writes(), equalTo(5.0));
        assertThat("entries read by scans starting at the key", s.scanReads(), equalTo(100.0));
        assertThat(s.valueBytes(), equalTo(120));
        assertThat(t.stats(Bytes.of("price:43"), 0).reads(), equalTo(0.0));
    }

    @Test
    void memoryIsTheSameForTenThousandAndTenMillionKeys() {
        AccessTracker small = new AccessTracker(1 << 16, 10 << 16);
        AccessTracker large = new AccessTracker(1 << 16, 10 << 16);
        for (int i = 0; i < 10_000; i++) {
            small.recordRead(ZipfStream.key(i));
        }
        for (int i = 0; i < 10_000_000; i++) {
            large.recordRead(ZipfStream.key(i));
        }
        assertThat(large.memoryBytes(), equalTo(small.memoryBytes()));
        assertThat(
                "four sketches of 4 x 65536 16-bit counters and a few KiB: about 2 MiB, where a HashMap of 10M"
                        + " counters takes hundreds",
                large.memoryBytes(),
                lessThan(3L << 20));
    }

    @Test
    void zipfianEstimatesAreWithinTheSketchsBound() {
        int width = 1 << 12;
        AccessTracker t = new AccessTracker(width, Integer.MAX_VALUE);
        Map<Integer, Integer> exact = new HashMap<>();
        ZipfStream zipf = new ZipfStream(50_000, 0.99, 11);
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            int k = zipf.next();
            t.recordRead(ZipfStream.key(k));
            exact.merge(k, 1, Integer::sum);
        }
        double bound = Math.E / width * n;
        for (int k = 0; k < 20; k++) {
            double estimate = t.stats(ZipfStream.key(k), 100).reads();
            int truth = exact.getOrDefault(k, 0);
            assertThat("key " + k, estimate, greaterThanOrEqualTo((double) truth));
            assertThat("key " + k, estimate, lessThanOrEqualTo(truth + bound));
        }
    }

    @Test
    void agingHalvesEveryCountTogether() {
        AccessTracker t = new AccessTracker(1024, 100);
        Bytes k = Bytes.of("k");
        for (int i = 0; i < 40; i++) {
            t.recordRead(k);
        }
        for (int i = 0; i < 20; i++) {
            t.recordWrite(k);
        }
        for (int i = 0; i < 39; i++) {
            t.recordRead(Bytes.of("other" + i));
        }
        assertThat(t.resets(), equalTo(0L));
        t.recordRead(Bytes.of("the 100th"));
        assertThat(t.resets(), equalTo(1L));
        assertThat(t.stats(k, 0).reads(), equalTo(20.0));
        assertThat("writes age with reads: one window for both", t.stats(k, 0).writes(), equalTo(10.0));
        assertThat(t.accessesInWindow(), equalTo(0L));
    }

    @Test
    void aSampledReadCountsAsTheReadsItStandsFor() {
        AccessTracker t = new AccessTracker(1024, 100);
        Bytes k = Bytes.of("k");
        t.recordRead(k, 8);
        t.recordRead(k, 8);
        t.recordRead(k);
        assertThat(t.stats(k, 0).reads(), equalTo(17.0));
        assertThat("the window counts the reads, not the calls", t.accessesInWindow(), equalTo(17L));
        t.recordRead(Bytes.of("other"), 83);
        assertThat("the 100th access ages the counts", t.resets(), equalTo(1L));
        assertThat(t.stats(k, 0).reads(), equalTo(8.0));
        AccessTracker wide = new AccessTracker(1024, Integer.MAX_VALUE);
        wide.recordRead(k, 1 << 20);
        int max = FrequencySketch.MAX_COUNT;
        assertThat("saturates at the counters' largest value", wide.stats(k, 0).reads(), equalTo((double) max));
    }

    @Test
    void timeOrderedWritesAreAppendsAndRandomWritesAreNot() {
        AccessTracker t = new AccessTracker(1 << 14, 1 << 24);
        for (int i = 1; i <= 1_000; i++) {
            t.recordWrite(order(i));
        }
        assertThat(
                "an order key written after every earlier order",
                t.stats(order(500), 100).sequentialFraction(),
                equalTo(1.0));
        Random r = new Random(3);
        int appends = 0;
        for (int i = 0; i < 1_000; i++) {
            Bytes k = Bytes.of(String.format("usr:%010d", r.nextInt(1_000_000)));
            t.recordWrite(k);
            appends += t.stats(k, 100).sequentialFraction() > 0 ? 1 : 0;
        }
        assertThat("random keys rarely pass the greatest one written", appends, lessThan(30));
    }

    @Test
    void interleavedStreamsAreEachDetected() {
        AccessTracker t = new AccessTracker(1 << 14, 1 << 24);
        for (int i = 1; i <= 200; i++) {
            t.recordWrite(order(i));
            t.recordWrite(Bytes.of(String.format("evt:%010d", i)));
        }
        assertThat(t.stats(order(150), 100).sequentialFraction(), equalTo(1.0));
        assertThat(t.stats(Bytes.of(String.format("evt:%010d", 150)), 100).sequentialFraction(), equalTo(1.0));
        t.recordWrite(order(150));
        assertThat(
                "a rewrite of an old order is not an append: half of its two writes were",
                t.stats(order(150), 100).sequentialFraction(),
                closeTo(0.5, 1e-9));
    }
}
