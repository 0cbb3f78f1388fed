package dev.storagelab.hybrid.tune;

/**
 * The tuner's scalar knobs, each a number within bounds that the {@link Tuner} sets once per
 * interval through a {@link Damper}. The per-range compaction styles are the tuner's discrete
 * knobs (see {@link Tuner}).
 */
public enum Knob {
    /**
     * The write-back cache's share of the memory budget ({@link Tuner.Config#cacheBudget()}
     * entries): the cache's capacity is this share of the budget; the rest is memory the cache
     * gives back to the engines' write buffers.
     */
    CACHE_SHARE(0.25, 1.0),
    /** The share of the cache's capacity that may be dirty before a write flushes (its {@code maxDirty}). */
    DIRTY_SHARE(0.05, 0.5),
    /** The router's hysteresis: how much cheaper the other engine must be for a move. */
    HYSTERESIS(0.1, 0.5),
    /** The base-2 logarithm of the router's sampling: the store asks it after one access in {@code 2^x}. */
    CONSIDER_LOG2(0, 4);

    private final double min;
    private final double max;

    Knob(double min, double max) {
        this.min = min;
        this.max = max;
    }

    /** The least value the tuner sets. */
    public double min() {
        return min;
    }

    /** The greatest value the tuner sets. */
    public double max() {
        return max;
    }

    /** {@code max - min}: what the {@link Damping} fractions are fractions of. */
    public double range() {
        return max - min;
    }

    /** {@code value} clamped to {@code [min, max]}. */
    public double clamp(double value) {
        return Math.max(min, Math.min(max, value));
    }

    /** The value {@code fraction} of the way from {@code min} to {@code max} ({@code fraction} clamped to [0, 1]). */
    public double lerp(double fraction) {
        return min + range() * Math.max(0, Math.min(1, fraction));
    }
}
