package dev.storagelab.hybrid.tune;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Latencies in nanoseconds counted in fixed buckets, for percentiles in memory that does not grow
 * with the number of values (what HdrHistogram does, with three significant bits): values below
 * 16 have a bucket each; above, each power of two {@code [2^e, 2^(e+1))} is cut into 8 equal
 * buckets, so a bucket is at most 1/8 of its values wide and a percentile read from it is at most
 * 12.5% too high. 488 buckets cover every non-negative long. Not thread-safe (the monitor locks).
 */
public final class LatencyHistogram {

    /** Sub-buckets per power of two: 2^3. */
    static final int SUB_BITS = 3;

    static final int SUBS = 1 << SUB_BITS;
    /** Values below this each have a bucket of their own. */
    static final int EXACT = 2 * SUBS;

    static final int BUCKETS = EXACT + (63 - 4) * SUBS;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long max;

    /** The bucket of {@code value} (see the class comment). */
    static int bucketOf(long value) {
        if (value < EXACT) {
            return (int) value;
        }
        int e = 63 - Long.numberOfLeadingZeros(value); // 2^e <= value < 2^(e+1), e >= 4
        int sub = (int) (value >>> (e - SUB_BITS)) & (SUBS - 1);
        return EXACT + (e - 4) * SUBS + sub;
    }

    /** The largest value of bucket {@code bucket}. */
    static long upperBound(int bucket) {
        if (bucket < EXACT) {
            return bucket;
        }
        int e = 4 + (bucket - EXACT) / SUBS;
        int sub = (bucket - EXACT) % SUBS;
        long lower = (long) (SUBS + sub) << (e - SUB_BITS);
        return lower + (1L << (e - SUB_BITS)) - 1;
    }

    /** Counts one value. */
    public void record(long nanos) {
        checkArgument(nanos >= 0, "a latency must not be negative: %s", nanos);
        counts[bucketOf(nanos)]++;
        total++;
        max = Math.max(max, nanos);
    }

    /** Values counted. */
    public long count() {
        return total;
    }

    /** The largest value counted (0 with none). */
    public long max() {
        return max;
    }

    /** Forgets every value. */
    public void reset() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        max = 0;
    }

    /**
     * The value at {@code quantile} (0.5: the median, 0.99: the 99th percentile): the upper bound
     * of the first bucket, in increasing order, at which the running count of values reaches
     * {@code ceil(quantile * count())} (at least 1), but never more than {@link #max()}. 0 if no
     * value was counted.
     *
     * @throws IllegalArgumentException if {@code quantile} is not within (0, 1]
     */
    public long valueAt(double quantile) {
        checkArgument(quantile > 0 && quantile <= 1, "quantile must be within (0, 1]: %s", quantile);
        // BEGIN SOLUTION lab-07 T10
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(quantile * total));
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += counts[b];
            if (seen >= rank) {
                return Math.min(upperBound(b), max);
            }
        }
        return max;
        // END SOLUTION
    }
}
