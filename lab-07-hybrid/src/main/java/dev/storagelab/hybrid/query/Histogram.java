package dev.storagelab.hybrid.query;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An equi-depth histogram of one column: the column's values, sorted, cut into buckets that each
 * hold about the same number of rows, so that a value that is common gets narrow buckets (and a
 * very common one a bucket of its own) and a rare range gets wide ones. What the planner asks it:
 * how many rows have a value in {@code [lo, hi]}.
 *
 * <p>Values are {@linkplain TableKeys#position positions} on the line of numbers: a long is itself,
 * a string its first bytes read as a number. Each bucket records its smallest and largest value,
 * its rows and its distinct values; buckets are in increasing order and never overlap (a value's
 * rows are all in one bucket).
 */
public final class Histogram {

    private final double[] lower;
    private final double[] upper;
    private final long[] count;
    private final long[] distinct;
    private final long rows;

    /**
     * A histogram of the given buckets: bucket {@code i} holds {@code count[i] >= 1} rows with
     * {@code distinct[i]} different values (at least 1, at most {@code count[i]}) from
     * {@code lower[i]} to {@code upper[i]}; buckets in increasing order, not overlapping.
     */
    public Histogram(double[] lower, double[] upper, long[] count, long[] distinct) {
        int n = lower.length;
        checkArgument(
                upper.length == n && count.length == n && distinct.length == n,
                "histogram arrays of different lengths");
        long total = 0;
        for (int i = 0; i < n; i++) {
            checkArgument(lower[i] <= upper[i], "bucket %s: lower %s above upper %s", i, lower[i], upper[i]);
            checkArgument(
                    count[i] >= 1 && distinct[i] >= 1 && distinct[i] <= count[i],
                    "bucket %s: %s rows, %s distinct values",
                    i,
                    count[i],
                    distinct[i]);
            checkArgument(i == 0 || upper[i - 1] < lower[i], "bucket %s overlaps or precedes bucket %s", i, i - 1);
            checkArgument(
                    lower[i] != upper[i] || distinct[i] == 1,
                    "bucket %s holds one value, not %s distinct",
                    i,
                    distinct[i]);
            total += count[i];
        }
        this.lower = lower.clone();
        this.upper = upper.clone();
        this.count = count.clone();
        this.distinct = distinct.clone();
        this.rows = total;
    }

    /**
     * The equi-depth histogram of {@code values} with at most about {@code buckets} buckets. The
     * values are sorted (a copy: {@code values} is left alone); the depth is
     * {@code d = ceil(n / buckets)}; walking the sorted values,
     * <ul>
     *   <li>a bucket closes as soon as it holds at least {@code d} values and the next value differs
     *       from its last one: the rows of one value are never split between buckets;</li>
     *   <li>a value with at least {@code d} rows is a bucket of its own: the bucket being filled
     *       closes before it (even if it holds fewer than {@code d}), and it closes after it;</li>
     *   <li>the last bucket holds what is left.</li>
     * </ul>
     * Each bucket records its smallest and largest value, its rows and its distinct values. No
     * values: no buckets.
     *
     * @throws IllegalArgumentException if {@code buckets < 1} or a value is NaN
     */
    public static Histogram build(double[] values, int buckets) {
        checkArgument(buckets >= 1, "a histogram needs at least one bucket: %s", buckets);
        // BEGIN SOLUTION lab-07 T11
        double[] v = values.clone();
        for (double x : v) {
            checkArgument(!Double.isNaN(x), "a histogram's values must not be NaN");
        }
        Arrays.sort(v);
        int n = v.length;
        long depth = Math.max(1, (n + (long) buckets - 1) / buckets);
        List<double[]> bounds = new ArrayList<>();
        List<long[]> sizes = new ArrayList<>();
        int i = 0;
        int start = 0;
        long distinct = 0;
        while (i < n) {
            int run = i;
            while (run < n && v[run] == v[i]) {
                run++;
            }
            if (run - i >= depth && i > start) { // a heavy value: close what came before it
                bounds.add(new double[] {v[start], v[i - 1]});
                sizes.add(new long[] {i - start, distinct});
                start = i;
                distinct = 0;
            }
            distinct++;
            i = run;
            if (i - start >= depth || i == n) {
                bounds.add(new double[] {v[start], v[i - 1]});
                sizes.add(new long[] {i - start, distinct});
                start = i;
                distinct = 0;
            }
        }
        int b = bounds.size();
        double[] lower = new double[b];
        double[] upper = new double[b];
        long[] count = new long[b];
        long[] dist = new long[b];
        for (int k = 0; k < b; k++) {
            lower[k] = bounds.get(k)[0];
            upper[k] = bounds.get(k)[1];
            count[k] = sizes.get(k)[0];
            dist[k] = sizes.get(k)[1];
        }
        return new Histogram(lower, upper, count, dist);
        // END SOLUTION
    }

    /**
     * The estimated number of rows with a value in {@code [lo, hi]} (both inclusive; infinities for
     * open ends; 0 if {@code lo > hi}): the sum over the buckets of
     * <ul>
     *   <li>0 for a bucket outside the range;</li>
     *   <li>its {@code count} for a bucket wholly inside it;</li>
     *   <li>for a point ({@code lo == hi}) inside a bucket's {@code [lower, upper]}:
     *       {@code count / distinct}, the rows of an average value of the bucket;</li>
     *   <li>for a range that cuts a bucket: {@code count * (min(hi, upper) - max(lo, lower) + 1) /
     *       (upper - lower + 1)}, as if its values were spread evenly over {@code [lower, upper]},
     *       one unit apart (integers: the share of the integers it covers), at most {@code count}.</li>
     * </ul>
     * Exact for a range whose ends are bucket boundaries.
     */
    public double estimate(double lo, double hi) {
        // BEGIN SOLUTION lab-07 T11
        if (lo > hi) {
            return 0;
        }
        double sum = 0;
        for (int i = 0; i < lower.length; i++) {
            if (hi < lower[i] || lo > upper[i]) {
                continue;
            }
            if (lo <= lower[i] && upper[i] <= hi) {
                sum += count[i];
            } else if (lo == hi) {
                sum += (double) count[i] / distinct[i];
            } else {
                double covered = Math.min(hi, upper[i]) - Math.max(lo, lower[i]) + 1;
                sum += Math.min(count[i], count[i] * covered / (upper[i] - lower[i] + 1));
            }
        }
        return sum;
        // END SOLUTION
    }

    /** The rows the histogram describes. */
    public long rows() {
        return rows;
    }

    public int buckets() {
        return lower.length;
    }

    public double lower(int bucket) {
        return lower[bucket];
    }

    public double upper(int bucket) {
        return upper[bucket];
    }

    public long count(int bucket) {
        return count[bucket];
    }

    public long distinct(int bucket) {
        return distinct[bucket];
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("histogram of " + rows + " rows in " + lower.length + " buckets");
        for (int i = 0; i < lower.length; i++) {
            s.append(String.format(
                    Locale.ROOT,
                    "%n  [%s, %s] %d rows, %d distinct",
                    fmt(lower[i]),
                    fmt(upper[i]),
                    count[i],
                    distinct[i]));
        }
        return s.toString();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
