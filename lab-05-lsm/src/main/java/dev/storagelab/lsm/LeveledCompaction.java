package dev.storagelab.lsm;

import dev.storagelab.kv.Bytes;
import java.util.List;

/**
 * Leveled compaction, as LevelDB and RocksDB do it (lab-05 T7): level 0 holds whole flushed
 * memtables, which may overlap; each level from 1 is one sorted run of non-overlapping tables, ten
 * times (the multiplier) the size of the one above. A key is rewritten once per level it moves
 * down: write amplification about the multiplier per level, space amplification about 1.1, and a
 * get reads at most one table per level below level 0.
 */
public final class LeveledCompaction implements CompactionPolicy {

    /**
     * The most urgent compaction, or null: level 0 scores its table count against
     * {@link LsmOptions#l0CompactionTrigger}, every other level its bytes against its target size;
     * the highest score of at least 1 wins. Level 0 compacts all its tables (they may overlap);
     * another level compacts one table, the first after where its last compaction ended (so a
     * level is compacted round-robin through its key range). Either way the tables of the next
     * level that overlap the inputs' key range join them.
     */
    @Override
    public Compaction pick(Version v, LsmOptions options, InternalKey[] compactPointer) {
        // BEGIN SOLUTION lab-05 T7
        int best = -1;
        double bestScore = 0;
        for (int level = 0; level < Version.NUM_LEVELS - 1; level++) {
            double score = level == 0
                    ? (double) v.files(0).size() / options.l0CompactionTrigger()
                    : (double) v.levelBytes(level) / options.levelTargetBytes(level);
            if (score >= 1 && score > bestScore) {
                bestScore = score;
                best = level;
            }
        }
        if (best < 0) {
            return null;
        }
        List<FileMeta> inputs;
        if (best == 0) {
            inputs = v.files(0);
        } else {
            inputs = List.of(v.files(best).get(0));
            InternalKey pointer = compactPointer[best];
            if (pointer != null) {
                for (FileMeta f : v.files(best)) {
                    if (f.largest().compareTo(pointer) > 0) {
                        inputs = List.of(f);
                        break;
                    }
                }
            }
        }
        Bytes smallest = null;
        Bytes largest = null;
        for (FileMeta f : inputs) {
            smallest = smallest == null || f.smallest().userKey().compareTo(smallest) < 0 ? f.smallest().userKey() : smallest;
            largest = largest == null || f.largest().userKey().compareTo(largest) > 0 ? f.largest().userKey() : largest;
        }
        return new Compaction(best, inputs, v.overlapping(best + 1, smallest, largest));
        // END SOLUTION
    }

}
