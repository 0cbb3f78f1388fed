package dev.storagelab.hybrid.cost;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.lsm.LsmOptions;

/**
 * How the two engines are laid out, as far as the {@link CostModel} needs to know: what turns an
 * access into pages, blocks and bytes.
 *
 * @param btreePageSize         bytes per B+tree page (lab-04's {@code pageSize})
 * @param btreeFanout           children per inner page: an inner page costs a leaf {@code 1 / fanout} of its RAM
 * @param btreeFillFactor       how full a B+tree page is on average (0.69 for random inserts, Yao's
 *                              ln 2; about 1 for appends with a rightmost split)
 * @param bufferPoolHitRatio    the share of B+tree page accesses the buffer pool answers: the hot set
 *                              is sized to fit the pool, so this is high
 * @param lsmLevels             levels that hold data (level 0 counted as one)
 * @param lsmSizeRatio          each level is this many times the one above (lab-05's {@code levelMultiplier})
 * @param bloomBitsPerKey       Bloom filter bits per key (0: no filter)
 * @param lsmBlockBytes         bytes per data block (lab-05's {@code blockBytes})
 * @param blockCacheHitRatio    the share of LSM block reads the block cache answers (cold data: low)
 * @param keyBytes              the average key's length
 * @param routingEntryBytes     RAM a routing-table entry takes (a HOT key has one; COLD is the default and has none)
 */
public record EngineShape(
        int btreePageSize,
        int btreeFanout,
        double btreeFillFactor,
        double bufferPoolHitRatio,
        int lsmLevels,
        int lsmSizeRatio,
        int bloomBitsPerKey,
        int lsmBlockBytes,
        double blockCacheHitRatio,
        int keyBytes,
        int routingEntryBytes) {

    public EngineShape {
        checkArgument(btreePageSize >= 512, "btreePageSize must be at least 512: %s", btreePageSize);
        checkArgument(btreeFanout >= 2, "btreeFanout must be at least 2: %s", btreeFanout);
        checkArgument(
                btreeFillFactor > 0 && btreeFillFactor <= 1,
                "btreeFillFactor must be within (0, 1]: %s",
                btreeFillFactor);
        checkArgument(
                bufferPoolHitRatio >= 0 && bufferPoolHitRatio <= 1,
                "bufferPoolHitRatio must be within [0, 1]: %s",
                bufferPoolHitRatio);
        checkArgument(lsmLevels >= 1, "lsmLevels must be at least 1: %s", lsmLevels);
        checkArgument(lsmSizeRatio >= 2, "lsmSizeRatio must be at least 2: %s", lsmSizeRatio);
        checkArgument(bloomBitsPerKey >= 0, "bloomBitsPerKey must not be negative: %s", bloomBitsPerKey);
        checkArgument(lsmBlockBytes >= 64, "lsmBlockBytes must be at least 64: %s", lsmBlockBytes);
        checkArgument(
                blockCacheHitRatio >= 0 && blockCacheHitRatio <= 1,
                "blockCacheHitRatio must be within [0, 1]: %s",
                blockCacheHitRatio);
        checkArgument(keyBytes >= 1, "keyBytes must be positive: %s", keyBytes);
        checkArgument(routingEntryBytes >= 0, "routingEntryBytes must not be negative: %s", routingEntryBytes);
    }

    /** The workspace's defaults: lab-04's 4 KiB pages, lab-05's LevelDB-like LSM with 4 levels, 16-byte keys. */
    public static EngineShape defaults() {
        return from(BTreeOptions.defaults(), LsmOptions.defaults());
    }

    /**
     * The shape of engines opened with these options: page size and block size, level multiplier
     * and Bloom bits from them; a fanout from the page size and the key length; 4 levels; hit ratios
     * of 0.95 (the B+tree holds the hot set) and 0.5 (the LSM holds the cold data).
     */
    public static EngineShape from(BTreeOptions btree, LsmOptions lsm) {
        int keyBytes = 16;
        // an inner entry: the key, an 8-byte child pointer, a 4-byte slot
        int fanout = Math.max(2, btree.pageSize() / (keyBytes + 12));
        return new EngineShape(
                btree.pageSize(),
                fanout,
                0.69,
                0.95,
                4,
                lsm.levelMultiplier(),
                lsm.bloomBitsPerKey(),
                lsm.blockBytes(),
                0.5,
                keyBytes,
                keyBytes + 48);
    }

    public EngineShape withBufferPoolHitRatio(double v) {
        return new EngineShape(
                btreePageSize,
                btreeFanout,
                btreeFillFactor,
                v,
                lsmLevels,
                lsmSizeRatio,
                bloomBitsPerKey,
                lsmBlockBytes,
                blockCacheHitRatio,
                keyBytes,
                routingEntryBytes);
    }

    public EngineShape withBlockCacheHitRatio(double v) {
        return new EngineShape(
                btreePageSize,
                btreeFanout,
                btreeFillFactor,
                bufferPoolHitRatio,
                lsmLevels,
                lsmSizeRatio,
                bloomBitsPerKey,
                lsmBlockBytes,
                v,
                keyBytes,
                routingEntryBytes);
    }

    public EngineShape withLsm(int levels, int sizeRatio, int bloomBits) {
        return new EngineShape(
                btreePageSize,
                btreeFanout,
                btreeFillFactor,
                bufferPoolHitRatio,
                levels,
                sizeRatio,
                bloomBits,
                lsmBlockBytes,
                blockCacheHitRatio,
                keyBytes,
                routingEntryBytes);
    }

    /** A key's entry as the engines store it: key, value and 8 bytes of lengths and sequence. */
    public long entryBytes(int valueBytes) {
        return keyBytes + (long) valueBytes + 8;
    }

    /**
     * The write amplification of leveled compaction: 1 for the flush, then on average
     * {@code (sizeRatio + 1) / 2} rewrites at each of the {@code levels - 1} deeper levels.
     */
    public double lsmWriteAmplification() {
        return 1 + (lsmLevels - 1) * (lsmSizeRatio + 1) / 2.0;
    }

    /** The LSM's space amplification: the levels above the last hold {@code 1 / sizeRatio} more. */
    public double lsmSpaceAmplification() {
        return 1 + 1.0 / lsmSizeRatio;
    }

    /** A Bloom filter's false-positive rate at its optimal number of hashes: {@code 0.6185^bitsPerKey}. */
    public double bloomFalsePositiveRate() {
        return bloomBitsPerKey == 0 ? 1 : Math.pow(0.6185, bloomBitsPerKey);
    }
}
