package dev.storagelab.hybrid.track.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.hybrid.cost.AccessStats;
import dev.storagelab.hybrid.track.AccessTracker;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the access tracker over the student's sketch (lab-07 T2): bounded memory under
 * a million distinct writes, estimates of a mixed workload against exact counts, one window for
 * reads and writes.
 */
@Tag("hidden")
class AccessTrackerHiddenTest {

    private static Bytes key(int i) {
        byte[] k = "item0000000000".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int pos = k.length - 1; i > 0; pos--, i /= 10) {
            k[pos] = (byte) ('0' + i % 10);
        }
        return Bytes.wrap(k);
    }

    @Test
    @Graded(
            task = "T2",
            points = 2,
            concept = "the access tracker's memory grows with the keys it has seen (a counter per key instead "
                    + "of a fixed sketch)")
    void aMillionDistinctWritesCostNoMemory() {
        AccessTracker t = new AccessTracker(1 << 12, 1 << 30);
        long before = t.memoryBytes();
        Random r = new Random(1);
        for (int i = 0; i < 1_000_000; i++) {
            t.recordWrite(key(r.nextInt(Integer.MAX_VALUE)));
        }
        assertThat(t.memoryBytes(), equalTo(before));
        assertThat("the writes were counted", t.stats(key(7), 10).writes(), greaterThanOrEqualTo(0.0));
        assertThat(t.memoryBytes(), lessThan(200L << 10));
    }

    @Test
    @Graded(
            task = "T2",
            points = 3,
            concept = "the tracker's read and write estimates of a mixed workload are below the true counts "
                    + "or beyond the count-min bound")
    void mixedWorkloadEstimatesAreWithinTheBound() {
        int width = 1 << 12;
        AccessTracker t = new AccessTracker(width, Integer.MAX_VALUE);
        Map<Integer, Integer> reads = new HashMap<>();
        Map<Integer, Integer> writes = new HashMap<>();
        Random r = new Random(2);
        int n = 120_000;
        for (int i = 0; i < n; i++) {
            int k = (int) Math.floor(Math.pow(r.nextDouble(), 4) * 20_000);
            if (r.nextInt(4) == 0) {
                t.recordWrite(key(k));
                writes.merge(k, 1, Integer::sum);
            } else {
                t.recordRead(key(k));
                reads.merge(k, 1, Integer::sum);
            }
        }
        double bound = Math.E / width * n;
        for (int k = 0; k < 200; k++) {
            AccessStats s = t.stats(key(k), 100);
            int tr = reads.getOrDefault(k, 0);
            int tw = writes.getOrDefault(k, 0);
            assertThat("reads of " + k, s.reads(), greaterThanOrEqualTo((double) tr));
            assertThat("reads of " + k, s.reads(), lessThanOrEqualTo(tr + bound));
            assertThat("writes of " + k, s.writes(), greaterThanOrEqualTo((double) tw));
            assertThat("writes of " + k, s.writes(), lessThanOrEqualTo(tw + bound));
        }
    }

    @Test
    @Graded(
            task = "T2",
            points = 2,
            concept = "the tracker's counts do not halve at its sample size (the sketch's reset halves every "
                    + "counter)")
    void aWindowHalvesReadsAndWritesTogether() {
        AccessTracker t = new AccessTracker(1 << 10, 1_000);
        Bytes k = Bytes.of("stock:7");
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 300; i++) {
                t.recordRead(k);
            }
            for (int i = 0; i < 100; i++) {
                t.recordWrite(k);
            }
            for (int i = 0; i < 600; i++) {
                t.recordRead(Bytes.of("filler" + round + ":" + i));
            }
        }
        assertThat(t.resets(), equalTo(3L));
        AccessStats s = t.stats(k, 10);
        // reads: ((300 / 2 + 300) / 2 + 300) / 2 = 262 (rounding down at each halving), writes likewise 87
        assertThat(s.reads(), equalTo(262.0));
        assertThat(s.writes(), equalTo(87.0));
    }
}
