package dev.storagelab.workbench.workloads;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;

import java.util.Arrays;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

class KeyChooserTest {

    private static final int N = 10_000;
    private static final int DRAWS = 200_000;

    private static long[] histogram(KeyChooser chooser) {
        long[] counts = new long[N];
        for (int i = 0; i < DRAWS; i++) {
            long k = chooser.next(N);
            assertThat("a key number is in [0, n)", k, allOf(greaterThanOrEqualTo(0L), lessThan((long) N)));
            counts[(int) k]++;
        }
        return counts;
    }

    private static double topShare(long[] counts, int top) {
        long[] sorted = counts.clone();
        Arrays.sort(sorted);
        long sum = 0;
        for (int i = 0; i < top; i++) {
            sum += sorted[sorted.length - 1 - i];
        }
        return (double) sum / DRAWS;
    }

    @Test
    void scrambledZipfianIsSkewedButSpreadsItsHotKeysOverTheKeySpace() {
        long[] counts = histogram(KeyChooser.scrambledZipfian(RandomSource.XO_RO_SHI_RO_128_PP.create(1L), 0.99));
        // Zipf(0.99) over 10,000 keys: the top 1% of ranks carry about half of all requests.
        assertThat("the hottest 1% of keys get a large share of requests", topShare(counts, N / 100), greaterThan(0.4));
        long hotInLowestPercent = 0;
        for (int i = 0; i < N / 100; i++) {
            hotInLowestPercent += counts[i];
        }
        assertThat(
                "scrambling: the hot keys are not simply the smallest numbers",
                (double) hotInLowestPercent / DRAWS,
                lessThan(0.1));
    }

    @Test
    void uniformIsFlat() {
        long[] counts = histogram(KeyChooser.uniform(RandomSource.XO_RO_SHI_RO_128_PP.create(2L)));
        assertThat(
                "uniform: the hottest 1% of keys get about 1% of requests", topShare(counts, N / 100), lessThan(0.03));
    }

    @Test
    void latestFavoursTheNewestKeys() {
        long[] counts = histogram(KeyChooser.latest(RandomSource.XO_RO_SHI_RO_128_PP.create(3L), 0.99));
        long newest = 0;
        for (int i = N - N / 100; i < N; i++) {
            newest += counts[i];
        }
        assertThat("latest: the newest 1% of keys get most requests", (double) newest / DRAWS, greaterThan(0.4));
    }
}
