package dev.storagelab.hybrid.scenario;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;

/** The latencies of one phase's gets, in nanoseconds of simulated time; percentiles are exact (sorted). */
public final class Latencies {

    private long[] values = new long[1024];
    private int size;
    private boolean sorted = true;

    public void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
        sorted = false;
    }

    public int count() {
        return size;
    }

    /**
     * The {@code p}-th percentile (0 < p <= 100), nearest rank: the smallest latency that at least
     * p% of the gets did not exceed. 0 if there were none.
     */
    public long percentile(double p) {
        checkArgument(p > 0 && p <= 100, "percentile must be within (0, 100]: %s", p);
        if (size == 0) {
            return 0;
        }
        if (!sorted) {
            Arrays.sort(values, 0, size);
            sorted = true;
        }
        int rank = (int) Math.ceil(p / 100 * size);
        return values[Math.max(0, rank - 1)];
    }

    public long max() {
        return percentile(100);
    }
}
