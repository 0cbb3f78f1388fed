package dev.storagelab.hybrid.track;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.kv.Bytes;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-07 T2, the decaying count-min sketch: {@link FrequencySketch#add},
 * {@link FrequencySketch#frequency} and {@link FrequencySketch#reset}. The streams are seeded, so
 * every estimate, and every error, is the same on every run.
 */
class FrequencySketchTest {

    private static final long NEVER = Long.MAX_VALUE;

    @Test
    void aKeyNeverSeenHasFrequencyZero() {
        FrequencySketch s = new FrequencySketch(1024, NEVER);
        assertThat(s.frequency(Bytes.of("nobody")), equalTo(0));
        s.increment(Bytes.of("somebody"));
        assertThat(s.frequency(Bytes.of("nobody")), equalTo(0));
    }

    @Test
    void aKeyAloneIsCountedExactly() {
        FrequencySketch s = new FrequencySketch(1024, NEVER);
        for (int i = 0; i < 1_000; i++) {
            s.increment(Bytes.of("hot"));
        }
        assertThat("nothing else shares its counters", s.frequency(Bytes.of("hot")), equalTo(1_000));
        assertThat("every increment counts toward the sample", s.size(), equalTo(1_000L));
    }

    @Test
    void addCountsSeveralAtOnce() {
        FrequencySketch s = new FrequencySketch(256, NEVER);
        long h = FrequencySketch.hash(Bytes.of("scan-start"));
        s.add(h, 40);
        s.add(h, 2);
        assertThat(s.frequency(h), equalTo(42));
        assertThat(s.size(), equalTo(42L));
    }

    @Test
    void countersSaturateInsteadOfWrappingAround() {
        FrequencySketch s = new FrequencySketch(256, NEVER);
        long h = FrequencySketch.hash(Bytes.of("k"));
        s.add(h, FrequencySketch.MAX_COUNT - 1);
        s.add(h, 10);
        assertThat("a 16-bit counter stops at 65535", s.frequency(h), equalTo(FrequencySketch.MAX_COUNT));
        assertThat(
                "its neighbours in the same long are untouched", s.frequency(Bytes.of("other")), lessThanOrEqualTo(0));
    }

    @Test
    void aZipfianStreamIsNeverUnderestimatedAndRarelyOverTheBound() {
        int width = 4_096;
        int n = 200_000;
        FrequencySketch s = new FrequencySketch(width, NEVER);
        Map<Integer, Integer> exact = new HashMap<>();
        ZipfStream zipf = new ZipfStream(100_000, 1.0, 7);
        for (int i = 0; i < n; i++) {
            int k = zipf.next();
            s.increment(ZipfStream.key(k));
            exact.merge(k, 1, Integer::sum);
        }
        double bound = Math.E / width * n; // count-min: over by more than e N / w with probability <= e^-depth
        int over = 0;
        for (Map.Entry<Integer, Integer> e : exact.entrySet()) {
            int estimate = s.frequency(ZipfStream.key(e.getKey()));
            assertThat(
                    "key " + e.getKey() + " seen " + e.getValue() + " times",
                    estimate,
                    greaterThanOrEqualTo(e.getValue()));
            if (estimate - e.getValue() > bound) {
                over++;
            }
        }
        assertThat(
                "keys over the bound of " + (int) bound + ": at most e^-4 = 1.8% of " + exact.size(),
                (double) over / exact.size(),
                lessThanOrEqualTo(Math.exp(-FrequencySketch.DEPTH)));
        assertThat(
                "the most popular key is counted within the bound",
                (double) s.frequency(ZipfStream.key(0)),
                lessThanOrEqualTo(exact.get(0) + bound));
    }

    @Test
    void resetHalvesEveryCounterAndTheSize() {
        FrequencySketch s = new FrequencySketch(1024, NEVER);
        Bytes a = Bytes.of("a");
        Bytes b = Bytes.of("b");
        s.add(FrequencySketch.hash(a), 11);
        s.add(FrequencySketch.hash(b), 7);
        s.reset();
        assertThat("11 halves to 5", s.frequency(a), equalTo(5));
        assertThat("7 halves to 3", s.frequency(b), equalTo(3));
        assertThat(s.size(), equalTo(9L));
        assertThat(s.resets(), equalTo(1L));
        s.reset();
        s.reset();
        s.reset();
        assertThat("halving never borrows from a neighbouring counter", s.frequency(a), equalTo(0));
    }

    @Test
    void theSketchAgesByItselfAtTheSampleSize() {
        FrequencySketch s = new FrequencySketch(1024, 100);
        Bytes k = Bytes.of("k");
        for (int i = 0; i < 99; i++) {
            s.increment(k);
        }
        assertThat("not yet", s.resets(), equalTo(0L));
        assertThat(s.frequency(k), equalTo(99));
        s.increment(k);
        assertThat("the 100th increment reaches the sample size", s.resets(), equalTo(1L));
        assertThat("100 halved", s.frequency(k), equalTo(50));
        assertThat(s.size(), equalTo(50L));
    }

    @Test
    void memoryIsFixedByTheWidth() {
        FrequencySketch s = new FrequencySketch(1 << 16, NEVER);
        long before = s.memoryBytes();
        for (int i = 0; i < 100_000; i++) {
            s.increment(ZipfStream.key(i));
        }
        assertThat("4 rows of 65536 counters of 2 bytes", before, equalTo(4L * 65_536 * 2));
        assertThat(s.memoryBytes(), equalTo(before));
    }
}
