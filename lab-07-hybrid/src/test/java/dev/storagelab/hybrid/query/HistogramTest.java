package dev.storagelab.hybrid.query;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** T11: the equi-depth histogram's buckets and its estimates. */
class HistogramTest {

    private static double[] range(int from, int to) {
        double[] v = new double[to - from + 1];
        for (int i = 0; i < v.length; i++) {
            v[i] = from + i;
        }
        return v;
    }

    @Test
    void uniformValuesGetBucketsOfEqualDepth() {
        double[] v = range(1, 1000);
        Collections.shuffle(v);
        Histogram h = Histogram.build(v, 10);
        assertThat("1000 values, 10 buckets", h.buckets(), equalTo(10));
        for (int i = 0; i < 10; i++) {
            assertThat("bucket " + i + "'s lower bound", h.lower(i), equalTo(100.0 * i + 1));
            assertThat("bucket " + i + "'s upper bound", h.upper(i), equalTo(100.0 * i + 100));
            assertThat("bucket " + i + " holds a tenth of the rows", h.count(i), equalTo(100L));
            assertThat("bucket " + i + "'s distinct values", h.distinct(i), equalTo(100L));
        }
        assertThat(h.rows(), equalTo(1000L));
    }

    @Test
    void theRowsOfOneValueAreNeverSplitBetweenBuckets() {
        // 1..100, each three times: depth 30 falls in the middle of a value's rows every time
        double[] v = new double[300];
        for (int i = 0; i < 300; i++) {
            v[i] = 1 + i / 3;
        }
        Histogram h = Histogram.build(v, 10);
        long total = 0;
        for (int i = 0; i < h.buckets(); i++) {
            total += h.count(i);
            assertThat("bucket " + i + " holds whole values: 3 rows each", h.count(i) % 3, equalTo(0L));
            assertThat(
                    "a bucket closes once it holds at least the depth",
                    i == h.buckets() - 1 || h.count(i) >= 30,
                    equalTo(true));
            if (i > 0) {
                assertThat("buckets do not overlap", h.upper(i - 1), lessThan(h.lower(i)));
            }
        }
        assertThat("every row in a bucket", total, equalTo(300L));
        assertThat("the first bucket: values 1..10, 30 rows", h.count(0), equalTo(30L));
    }

    @Test
    void aValueThatFillsABucketGetsABucketOfItsOwn() {
        double[] v = Arrays.copyOf(range(1, 900), 1400);
        Arrays.fill(v, 900, 1400, 450); // value 450: 501 rows of 1400, the depth is 140
        Histogram h = Histogram.build(v, 10);
        int own = -1;
        for (int i = 0; i < h.buckets(); i++) {
            if (h.lower(i) == 450 && h.upper(i) == 450) {
                own = i;
            }
        }
        assertThat("450 has a bucket [450, 450]:\n" + h, own >= 0, equalTo(true));
        assertThat(h.count(own), equalTo(501L));
        assertThat(h.distinct(own), equalTo(1L));
        assertThat("the bucket before it closes at 449", h.upper(own - 1), equalTo(449.0));
        assertThat("its rows estimated exactly", h.estimate(450, 450), equalTo(501.0));
    }

    @Test
    void estimatesAreExactOnBucketBoundariesAndInterpolatedInside() {
        Histogram h = Histogram.build(range(1, 1000), 10);
        assertThat("three whole buckets", h.estimate(101, 400), equalTo(300.0));
        assertThat("everything", h.estimate(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY), equalTo(1000.0));
        assertThat("half a bucket: 50 of its 100 integers", h.estimate(1, 50), closeTo(50, 1e-9));
        assertThat("across a boundary", h.estimate(91, 110), closeTo(20, 1e-9));
        assertThat("one value: count / distinct", h.estimate(7, 7), closeTo(1, 1e-9));
        assertThat("outside every bucket", h.estimate(2000, 3000), equalTo(0.0));
        assertThat("lo > hi", h.estimate(10, 5), equalTo(0.0));
    }

    @Test
    void estimatesOnSkewedDataStayWithinTwoBucketsOfTheTruth() {
        double[] v = QueryFixtures.zipf(20_000, 5_000, 7);
        Histogram h = Histogram.build(v, 50);
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        long biggest = 0;
        for (int i = 0; i < h.buckets(); i++) {
            biggest = Math.max(biggest, h.count(i));
        }
        Random r = new Random(3);
        for (int t = 0; t < 200; t++) {
            int a = 1 + r.nextInt(5_000);
            int b = a + r.nextInt(2_000);
            long truth = Arrays.stream(sorted).filter(x -> x >= a && x <= b).count();
            assertThat(
                    "rows in [" + a + ", " + b + "]",
                    Math.abs(h.estimate(a, b) - truth),
                    lessThanOrEqualTo(2.0 * biggest));
        }
        assertThat(
                "the most common value (a ninth of the rows: a bucket of its own) estimated exactly",
                h.estimate(1, 1),
                equalTo((double) Arrays.stream(sorted).filter(x -> x == 1).count()));
    }

    /** Shuffles a double array in place (seeded). */
    private static final class Collections {
        static void shuffle(double[] v) {
            Random r = new Random(1);
            for (int i = v.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
            }
        }
    }
}
