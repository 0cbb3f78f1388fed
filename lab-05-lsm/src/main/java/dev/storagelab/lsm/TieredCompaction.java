package dev.storagelab.lsm;

import java.util.List;

/**
 * Size-tiered compaction (Cassandra's STCS, RocksDB's universal compaction) over the store's levels.
 */
public final class TieredCompaction implements CompactionPolicy {

    /**
     * Size-tiered picking (RocksDB's universal compaction, over this store's levels): the sorted
     * runs, newest first, are level 0's tables (a run each), then each non-empty deeper level (one
     * run). Once level 0 holds {@link LsmOptions#l0CompactionTrigger} runs, they are merged with
     * each deeper run, in order, that is at most {@link LsmOptions#tierSizeRatio} times the bytes
     * taken so far (a run much larger than the newer ones waits until they have grown); the output
     * goes to the deepest level taken, or, if none was, to the deepest empty level above the
     * first non-empty one (level 0 if that is level 1), so runs stay ordered by age down the
     * levels. Each byte is rewritten about once per size tier instead of once per level per
     * 10x of growth: lower write amplification, but a get may visit every run, and space is only
     * reclaimed when the oldest run is merged.
     */
    @Override
    public Compaction pick(Version v, LsmOptions options, InternalKey[] compactPointer) {
        List<FileMeta> l0 = v.files(0);
        if (l0.size() < options.l0CompactionTrigger()) {
            return null;
        }
        java.util.SortedMap<Integer, List<FileMeta>> inputs = new java.util.TreeMap<>();
        inputs.put(0, l0);
        long taken = v.levelBytes(0);
        int deepest = 0;
        int firstNonEmpty = -1;
        for (int level = 1; level < Version.NUM_LEVELS; level++) {
            if (v.files(level).isEmpty()) {
                continue;
            }
            if (firstNonEmpty < 0) {
                firstNonEmpty = level;
            }
            if (v.levelBytes(level) > options.tierSizeRatio() * taken) {
                break;
            }
            inputs.put(level, v.files(level));
            taken += v.levelBytes(level);
            deepest = level;
        }
        int output;
        if (deepest > 0) {
            output = deepest;
        } else if (firstNonEmpty < 0) {
            output = Version.NUM_LEVELS - 1;
        } else {
            output = firstNonEmpty - 1;
        }
        return new Compaction(inputs, output);
    }
}
