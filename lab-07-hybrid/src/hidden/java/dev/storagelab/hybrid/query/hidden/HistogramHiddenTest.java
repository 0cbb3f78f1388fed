package dev.storagelab.hybrid.query.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.hybrid.query.Histogram;
import dev.storagelab.hybrid.query.QueryFixtures;
import dev.storagelab.lab.Graded;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the equi-depth histogram (lab-07 T11): the exact buckets of hand-made value lists
 * (runs, heavy values, fewer values than buckets), the estimate formula on a histogram built by
 * hand, and estimates on skewed data against the truth.
 */
@Tag("hidden")
class HistogramHiddenTest {

    private static String buckets(Histogram h) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < h.buckets(); i++) {
            s.append(String.format("[%s,%s]%d/%d ", (long) h.lower(i), (long) h.upper(i), h.count(i), h.distinct(i)));
        }
        return s.toString().trim();
    }

    @Test
    @Graded(
            task = "T11",
            points = 3,
            concept =
                    "the equi-depth histogram's buckets: depth ceil(n / buckets), a bucket closes once it holds "
                            + "the depth and the next value differs, the rest in the last bucket, each with its bounds, rows and distinct values")
    void bucketsOfHandMadeListsAreExactlyAsSpecified() {
        // n = 12, 4 buckets: depth 3; value 3's two rows keep the first bucket open past the depth
        double[] v = {5, 1, 2, 3, 3, 4, 4, 6, 7, 8, 9, 9};
        assertThat(buckets(Histogram.build(v, 4)), equalTo("[1,3]4/3 [4,5]3/2 [6,8]3/3 [9,9]2/1"));
        assertThat("the input is left unsorted", v[0], equalTo(5.0));
        assertThat(
                "fewer values than buckets: one bucket per value",
                buckets(Histogram.build(new double[] {3, 1, 2}, 10)),
                equalTo("[1,1]1/1 [2,2]1/1 [3,3]1/1"));
        assertThat("one bucket", buckets(Histogram.build(new double[] {4, 4, 9, 1}, 1)), equalTo("[1,9]4/3"));
        assertThat("no values, no buckets", Histogram.build(new double[0], 5).buckets(), equalTo(0));
        assertThat(
                "negative values",
                buckets(Histogram.build(new double[] {-3, -1, -2, 0}, 2)),
                equalTo("[-3,-2]2/2 [-1,0]2/2"));
    }

    @Test
    @Graded(
            task = "T11",
            points = 3,
            concept = "a value with at least the depth's rows is not a bucket of its own (the bucket before it must "
                    + "close early, even short of the depth), or the bucket count is not what the depth allows")
    void heavyValuesGetBucketsOfTheirOwn() {
        // depth ceil(20 / 4) = 5: 7 and 9 are heavy; 1 2 close early before the 7s
        double[] v = {1, 2, 7, 7, 7, 7, 7, 7, 8, 9, 9, 9, 9, 9, 10, 11, 12, 13, 14, 15};
        assertThat(
                buckets(Histogram.build(v, 4)), equalTo("[1,2]2/2 [7,7]6/1 [8,8]1/1 [9,9]5/1 [10,14]5/5 [15,15]1/1"));
        Random r = new Random(8);
        for (int buckets : new int[] {1, 7, 32, 100}) {
            double[] w = new double[5_000];
            for (int i = 0; i < w.length; i++) {
                w[i] = r.nextInt(3) == 0 ? 500 : r.nextInt(10_000);
            }
            Histogram h = Histogram.build(w, buckets);
            long total = 0;
            for (int i = 0; i < h.buckets(); i++) {
                total += h.count(i);
            }
            assertThat(total, equalTo(5_000L));
            int depth = (5_000 + buckets - 1) / buckets;
            assertThat(
                    buckets + " buckets asked: at most one more (the bucket closed before the heavy value)",
                    h.buckets(),
                    lessThanOrEqualTo(buckets + 1));
            if (depth <= 1_500) {
                assertThat(
                        "500's third of the rows is exact with " + buckets + " buckets",
                        h.estimate(500, 500),
                        equalTo((double) Arrays.stream(w).filter(x -> x == 500).count()));
            }
        }
    }

    @Test
    @Graded(
            task = "T11",
            points = 3,
            concept = "the histogram's estimate: whole buckets counted, a point inside a bucket count / distinct, a "
                    + "range that cuts a bucket count * (covered + 1) / (width + 1), nothing outside, 0 when lo > hi")
    void estimatesFollowTheFormulaOnAHandMadeHistogram() {
        Histogram h = new Histogram(
                new double[] {0, 10, 30, 50}, new double[] {9, 19, 30, 99}, new long[] {40, 20, 70, 10}, new long[] {
                    10, 4, 1, 5
                });
        assertThat("whole buckets", h.estimate(10, 30), closeTo(90, 1e-9));
        assertThat("a point: count / distinct", h.estimate(12, 12), closeTo(5, 1e-9));
        assertThat("a point between buckets", h.estimate(25, 25), closeTo(0, 1e-9));
        assertThat("the single-value bucket", h.estimate(30, 30), closeTo(70, 1e-9));
        assertThat(
                "a cut: 4 of 10 units of [0,9], then [10,19] whole",
                h.estimate(6, 19),
                closeTo(40 * 4 / 10.0 + 20, 1e-9));
        assertThat("a cut inside one bucket", h.estimate(60, 69), closeTo(10 * 10 / 50.0, 1e-9));
        assertThat("open ends", h.estimate(Double.NEGATIVE_INFINITY, 14), closeTo(40 + 20 * 5 / 10.0, 1e-9));
        assertThat("lo > hi", h.estimate(50, 40), equalTo(0.0));
        assertThat("past the end", h.estimate(100, 1e9), equalTo(0.0));
        assertThat("everything", h.estimate(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY), closeTo(140, 1e-9));
    }

    @Test
    @Graded(
            task = "T11",
            points = 3,
            concept = "on skewed (Zipf) data the histogram's range estimates are off by more than the rows of the two "
                    + "buckets a range cuts, or a common value's rows are not estimated exactly")
    void skewedDataEstimatesStayWithinTheBucketsARangeCuts() {
        double[] v = QueryFixtures.zipf(30_000, 20_000, 21);
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        for (int buckets : new int[] {20, 64, 200}) {
            Histogram h = Histogram.build(v, buckets);
            Random r = new Random(buckets);
            for (int t = 0; t < 100; t++) {
                int a = 1 + r.nextInt(20_000);
                int b = a + (int) Math.pow(10, 4 * r.nextDouble());
                long truth = countIn(sorted, a, b);
                double slack = 0;
                for (int i = 0; i < h.buckets(); i++) {
                    boolean cut = (h.lower(i) < a && h.upper(i) >= a) || (h.lower(i) <= b && h.upper(i) > b);
                    slack += cut ? h.count(i) : 0;
                }
                assertThat(
                        buckets + " buckets, [" + a + ", " + b + "]",
                        Math.abs(h.estimate(a, b) - truth),
                        lessThanOrEqualTo(slack + 1e-9));
            }
            int depth = (30_000 + buckets - 1) / buckets;
            for (int common = 1; common <= 3; common++) {
                long rows = countIn(sorted, common, common);
                if (rows >= depth) {
                    assertThat(
                            "value " + common + " (" + rows + " rows) with " + buckets + " buckets",
                            h.estimate(common, common),
                            equalTo((double) rows));
                }
            }
        }
    }

    private static long countIn(double[] sorted, double a, double b) {
        return Arrays.stream(sorted).filter(x -> x >= a && x <= b).count();
    }
}
