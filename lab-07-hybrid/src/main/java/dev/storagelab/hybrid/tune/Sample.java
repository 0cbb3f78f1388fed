package dev.storagelab.hybrid.tune;

/**
 * What the {@link Monitor} saw in one interval: every figure is of the interval alone (the
 * differences of the store's counters between two samples), not since the store opened.
 *
 * @param interval           the interval's number, 0 first
 * @param endNanos           the clock's reading at the end of the interval
 * @param gets               gets recorded in the interval
 * @param puts               puts (and deletes) recorded in the interval
 * @param hitRate            the cache's hits over its hits and misses in the interval (0 with no read)
 * @param writeAmplification bytes written to storage over bytes the user wrote in the interval (0 with no write)
 * @param hotByteShare       the B+tree's bytes over all the engines' bytes (HOT, COLD, archive) at the end
 * @param deferredShare      moves the router wanted but put off, over those and the moves made, in the interval (0 with none)
 * @param getP50             the median get latency in the interval, nanoseconds
 * @param getP99             the 99th percentile get latency
 * @param putP50             the median put latency
 * @param putP99             the 99th percentile put latency
 */
public record Sample(
        int interval,
        long endNanos,
        long gets,
        long puts,
        double hitRate,
        double writeAmplification,
        double hotByteShare,
        double deferredShare,
        long getP50,
        long getP99,
        long putP50,
        long putP99) {

    /** Gets over gets and puts (0.5 with neither: no evidence either way). */
    public double readShare() {
        long ops = gets + puts;
        return ops == 0 ? 0.5 : (double) gets / ops;
    }

    /** Gets and puts. */
    public long operations() {
        return gets + puts;
    }
}
