package dev.storagelab.hybrid.track;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import dev.storagelab.kv.Bytes;

/**
 * How often each key was seen lately, in memory that does not grow with the keys: a count-min
 * sketch (Cormode and Muthukrishnan) of {@link #DEPTH} rows of {@code width} counters, packed
 * {@value #COUNTERS_PER_LONG} to a {@code long} as Caffeine's {@code FrequencySketch} packs them,
 * that halves every counter once {@code sampleSize} increments have been added (TinyLFU's reset),
 * so old popularity fades and the counters stay small.
 *
 * <p>A key maps to one counter in each row ({@link #index}); an increment adds one to each of
 * them, saturating at {@link #MAX_COUNT}; the frequency is the smallest of them. Other keys that
 * share a counter can only add to it, so the estimate is never below the key's true count (until
 * a reset halves both) and, with {@code N} increments, exceeds it by more than {@code e * N / width}
 * with probability at most {@code e^-DEPTH} (1.8%).
 *
 * <p>The counters are 16 bits, not TinyLFU's 4: TinyLFU only asks which of two keys is more
 * popular, but the cost model multiplies a count by a cost, so it needs counts into the
 * thousands. Not thread-safe: the tracker that owns it serialises access.
 */
public final class FrequencySketch {

    /** Rows: counters each key has. */
    public static final int DEPTH = 4;
    /** Bits per counter. */
    public static final int COUNTER_BITS = 16;
    /** Counters in one {@code long}. */
    public static final int COUNTERS_PER_LONG = Long.SIZE / COUNTER_BITS;
    /** A counter's largest value: an increment past it is lost (saturation). */
    public static final int MAX_COUNT = (1 << COUNTER_BITS) - 1;
    /** Every counter's top bit off: after a shift right by one, this clears what crossed from the counter above. */
    static final long HALVE_MASK = 0x7fff_7fff_7fff_7fffL;

    private static final HashFunction HASH = Hashing.farmHashFingerprint64();

    private final int width;
    private final long sampleSize;
    /** Row {@code i}'s counter {@code j} is bits {@code [16 (j % 4), 16 (j % 4) + 16)} of {@code table[i * width / 4 + j / 4]}. */
    final long[] table;
    /** Increments added since the last reset, halved by each reset. */
    long size;

    private long resets;

    /**
     * A sketch of {@code width} counters per row (a power of two, at least 64), halved once
     * {@code sampleSize} increments have been added ({@code Long.MAX_VALUE}: never by itself).
     */
    public FrequencySketch(int width, long sampleSize) {
        checkArgument(
                width >= 64 && Integer.bitCount(width) == 1, "width must be a power of two, at least 64: %s", width);
        checkArgument(sampleSize >= 1, "sampleSize must be positive: %s", sampleSize);
        this.width = width;
        this.sampleSize = sampleSize;
        this.table = new long[DEPTH * width / COUNTERS_PER_LONG];
    }

    /**
     * The 64-bit hash the counters of {@code key} are found from: Guava's FarmHash fingerprint, which
     * hashes a short key in one pass without the streaming hasher murmur3_128 builds per call (the
     * tracker hashes every access).
     */
    public static long hash(Bytes key) {
        return HASH.hashBytes(key.toByteArray()).asLong();
    }

    /**
     * The counter of row {@code row} for a key of hash {@code hash}: double hashing
     * (Kirsch and Mitzenmacher, as Guava's Bloom filter does), {@code (h1 + row * h2) mod width} with
     * {@code h1} the low 32 bits, {@code h2} the high 32 bits made odd, so the rows of one key fall
     * on different counters.
     */
    int index(long hash, int row) {
        int h1 = (int) hash;
        int h2 = (int) (hash >>> 32) | 1;
        return (h1 + row * h2) & (width - 1);
    }

    /** Counter {@code j} of row {@code row}. */
    int counter(int row, int j) {
        long word = table[row * (width / COUNTERS_PER_LONG) + j / COUNTERS_PER_LONG];
        return (int) (word >>> ((j % COUNTERS_PER_LONG) * COUNTER_BITS)) & MAX_COUNT;
    }

    /** Counts one more access of {@code key}. */
    public void increment(Bytes key) {
        add(hash(key), 1);
    }

    /** Counts one more access of the key of hash {@code hash}. */
    public void increment(long hash) {
        add(hash, 1);
    }

    /**
     * Adds {@code count} (positive) to each of the key's {@link #DEPTH} counters, each saturating at
     * {@link #MAX_COUNT}, adds {@code count} to {@link #size()}, and {@link #reset() resets} once
     * the size reaches the sample size.
     */
    public void add(long hash, int count) {
        checkArgument(count > 0, "count must be positive: %s", count);
        // BEGIN SOLUTION lab-07 T2
        int rowLongs = width / COUNTERS_PER_LONG;
        for (int row = 0; row < DEPTH; row++) {
            int j = index(hash, row);
            int slot = row * rowLongs + j / COUNTERS_PER_LONG;
            int shift = (j % COUNTERS_PER_LONG) * COUNTER_BITS;
            long current = (table[slot] >>> shift) & MAX_COUNT;
            long next = Math.min(MAX_COUNT, current + count);
            table[slot] += (next - current) << shift;
        }
        size += count;
        if (size >= sampleSize) {
            reset();
        }
        // END SOLUTION
    }

    /** The estimated count of {@code key}: the smallest of its counters. */
    public int frequency(Bytes key) {
        return frequency(hash(key));
    }

    /** The estimated count of the key of hash {@code hash}: the smallest of its {@link #DEPTH} counters. */
    public int frequency(long hash) {
        // BEGIN SOLUTION lab-07 T2
        int min = MAX_COUNT;
        for (int row = 0; row < DEPTH; row++) {
            min = Math.min(min, counter(row, index(hash, row)));
        }
        return min;
        // END SOLUTION
    }

    /**
     * Ages the sketch: halves every counter (rounding down) and {@link #size()}, in one pass over
     * the words (shift each right by one, then clear the bit each counter received from the one above
     * it, {@link #HALVE_MASK}).
     */
    public void reset() {
        // BEGIN SOLUTION lab-07 T2
        for (int i = 0; i < table.length; i++) {
            table[i] = (table[i] >>> 1) & HALVE_MASK;
        }
        size >>>= 1;
        resets++;
        // END SOLUTION
    }

    /** Increments added since the last reset (halved by each reset). */
    public long size() {
        return size;
    }

    /** Resets so far. */
    public long resets() {
        return resets;
    }

    public int width() {
        return width;
    }

    public long sampleSize() {
        return sampleSize;
    }

    /** Bytes of counters: {@code DEPTH * width * 2}, whatever the number of distinct keys counted. */
    public long memoryBytes() {
        return (long) table.length * Long.BYTES;
    }

    @Override
    public String toString() {
        return "FrequencySketch{" + DEPTH + "x" + width + ", size " + size + "/" + sampleSize + ", resets " + resets
                + "}";
    }
}
