package dev.storagelab.hybrid.track.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.hybrid.track.FrequencySketch;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the decaying count-min sketch (lab-07 T2): never an underestimate on any stream,
 * even in a tiny sketch full of collisions; the error bound on uniform and skewed streams at two
 * widths; a reset that halves every estimate exactly and never leaks between packed counters;
 * saturation; the aging schedule against a model.
 */
@Tag("hidden")
class FrequencySketchHiddenTest {

    private static Bytes key(int i) {
        return Bytes.of("k" + i);
    }

    @Property(tries = 200)
    @Graded(
            task = "T2",
            points = 3,
            concept = "the sketch's estimate is below a key's true count (count-min only over-counts: take the "
                    + "minimum of the key's counters, and increment every one of them)")
    void neverUnderestimates(@ForAll @Size(max = 400) List<@IntRange(min = 0, max = 60) Integer> stream) {
        FrequencySketch s = new FrequencySketch(64, Long.MAX_VALUE);
        Map<Integer, Integer> exact = new HashMap<>();
        for (int k : stream) {
            s.increment(key(k));
            exact.merge(k, 1, Integer::sum);
        }
        for (Map.Entry<Integer, Integer> e : exact.entrySet()) {
            assertThat("key " + e.getKey(), s.frequency(key(e.getKey())), greaterThanOrEqualTo(e.getValue()));
        }
        assertThat(s.size(), equalTo((long) stream.size()));
    }

    @Test
    @Graded(
            task = "T2",
            points = 3,
            concept = "the sketch's estimates exceed the true counts by more than e N / width for more than "
                    + "e^-4 of the keys (each key's rows must hash to independent counters)")
    void errorBoundHoldsOnUniformAndSkewedStreams() {
        for (int width : new int[] {1_024, 16_384}) {
            for (boolean skewed : new boolean[] {false, true}) {
                FrequencySketch s = new FrequencySketch(width, Long.MAX_VALUE);
                Map<Integer, Integer> exact = new HashMap<>();
                Random r = new Random(width + (skewed ? 1 : 0));
                int n = 150_000;
                for (int i = 0; i < n; i++) {
                    int k = skewed ? (int) Math.floor(Math.pow(r.nextDouble(), 3) * 30_000) : r.nextInt(30_000);
                    s.increment(key(k));
                    exact.merge(k, 1, Integer::sum);
                }
                double bound = Math.E / width * n;
                int over = 0;
                for (Map.Entry<Integer, Integer> e : exact.entrySet()) {
                    int estimate = s.frequency(key(e.getKey()));
                    // never below the true count (before a reset): an estimate of nothing is never over
                    assertThat(
                            "key " + e.getKey() + " seen " + e.getValue() + " times",
                            estimate,
                            greaterThanOrEqualTo(e.getValue()));
                    if (estimate - e.getValue() > bound) {
                        over++;
                    }
                }
                assertThat(
                        "width " + width + (skewed ? ", skewed" : ", uniform"),
                        (double) over / exact.size(),
                        lessThanOrEqualTo(Math.exp(-4)));
            }
        }
    }

    @Property(tries = 100)
    @Graded(
            task = "T2",
            points = 3,
            concept = "a reset does not halve every estimate exactly (shift each word right by one and mask "
                    + "off the bit that crossed from the neighbouring counter)")
    void resetHalvesEveryEstimateExactly(
            @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 1, max = 9_000) Integer> counts) {
        FrequencySketch s = new FrequencySketch(64, Long.MAX_VALUE);
        for (int i = 0; i < counts.size(); i++) {
            s.add(FrequencySketch.hash(key(i)), counts.get(i));
        }
        int[] before = new int[counts.size()];
        for (int i = 0; i < counts.size(); i++) {
            before[i] = s.frequency(key(i));
        }
        long size = s.size();
        s.reset();
        for (int i = 0; i < counts.size(); i++) {
            assertThat("key " + i + " estimated " + before[i] + " before", s.frequency(key(i)), equalTo(before[i] / 2));
        }
        assertThat(s.size(), equalTo(size / 2));
    }

    @Test
    @Graded(
            task = "T2",
            points = 2,
            concept =
                    "a counter at its maximum wraps around or spills into its neighbour instead of saturating at 65535")
    void saturationIsPerCounter() {
        FrequencySketch s = new FrequencySketch(1 << 16, Long.MAX_VALUE);
        Random r = new Random(5);
        Map<Integer, Integer> small = new HashMap<>();
        for (int i = 0; i < 2_000; i++) {
            int k = 1 + r.nextInt(500);
            s.increment(key(k));
            small.merge(k, 1, Integer::sum);
        }
        long h = FrequencySketch.hash(key(0));
        for (int i = 0; i < 3; i++) {
            s.add(h, 40_000);
        }
        for (int i = 0; i < 100; i++) {
            s.increment(h);
        }
        assertThat(s.frequency(h), equalTo(FrequencySketch.MAX_COUNT));
        for (Map.Entry<Integer, Integer> e : small.entrySet()) {
            assertThat(
                    "key " + e.getKey() + " beside the saturated one",
                    s.frequency(key(e.getKey())),
                    lessThanOrEqualTo(e.getValue() + 2));
        }
        s.reset();
        assertThat(s.frequency(h), equalTo(FrequencySketch.MAX_COUNT / 2));
    }

    @Test
    @Graded(
            task = "T2",
            points = 2,
            concept = "the sketch does not age on schedule: every time the increments since the last reset "
                    + "reach the sample size, counters and size must halve")
    void agingFollowsTheSampleSize() {
        FrequencySketch s = new FrequencySketch(1_024, 1_000);
        Bytes k = Bytes.of("lonely");
        long c = 0;
        long size = 0;
        long resets = 0;
        for (int i = 0; i < 10_000; i++) {
            s.increment(k);
            c++;
            size++;
            if (size >= 1_000) {
                c /= 2;
                size /= 2;
                resets++;
            }
            if (i % 97 == 0) {
                assertThat("after " + (i + 1) + " increments", (long) s.frequency(k), equalTo(c));
            }
        }
        assertThat(s.resets(), equalTo(resets));
        assertThat(s.size(), equalTo(size));
        assertThat((long) s.frequency(k), equalTo(c));
    }

    @Test
    @Graded(
            task = "T2",
            points = 2,
            concept = "a key popular long ago keeps its count: after each sample of other accesses its estimate "
                    + "must have halved")
    void oldPopularityFades() {
        FrequencySketch s = new FrequencySketch(4_096, 20_000);
        Bytes old = Bytes.of("yesterday's flash sale");
        s.add(FrequencySketch.hash(old), 8_000);
        int start = s.frequency(old);
        Random r = new Random(9);
        for (int i = 0; i < 3 * 20_000; i++) {
            s.increment(key(r.nextInt(100_000)));
        }
        assertThat("three or more resets since", s.resets(), greaterThanOrEqualTo(3L));
        assertThat("8000 halved three times, plus collisions", s.frequency(old), lessThanOrEqualTo(start / 8 + 40));
    }
}
