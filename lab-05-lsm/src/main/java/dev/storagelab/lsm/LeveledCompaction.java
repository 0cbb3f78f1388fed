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
     * {@link LsmOptions#l0CompactionTrigger}, every other level its bytes against its target size
     * ({@link #targetBytes}, given);
     * the highest score of at least 1 wins (a tie goes to the shallower level, whose backlog more
     * writes wait on). Level 0 compacts all its tables (they may overlap);
     * another level compacts one table, the first after where its last compaction ended (so a
     * level is compacted round-robin through its key range). Either way the tables of the level
     * they go to that overlap the inputs' key range join them: the next level, or for level 0 the
     * base level ({@link #baseLevel}, given).
     */
    /**
     * Level {@code level}'s target size, sized from the bottom level as RocksDB's
     * {@code level_compaction_dynamic_level_bytes} does: the bottom level's bytes over the
     * multiplier once per level between them, but at least a tenth (one over the multiplier) of level 1's
     * static target ({@link LsmOptions#levelTargetBytes}); a level above the base level
     * ({@link #baseLevel}, given) gets that tenth, so that what it still holds moves down; the
     * bottom level keeps its static target. Static targets alone let the levels above a young
     * bottom level hold as much as it does (with 2 MB of data, level 2's 640 KB target is a third
     * of the data, all of it stale copies): space amplification 1.3 and more. Sizing the upper
     * levels from the bottom keeps it near {@code 1 + 1/multiplier}.
     */
    static double targetBytes(Version v, LsmOptions options, int level, int bottom) {
        double target = sizeTarget(v, options, level, bottom);
        if (level <= bottom) {
            target += incomingBytes(v, options, level, bottom);
        }
        return target;
    }

    /** {@link #targetBytes} without the bytes on their way down: what the level should hold. */
    private static double sizeTarget(Version v, LsmOptions options, int level, int bottom) {
        if (level >= bottom) {
            return options.levelTargetBytes(level);
        }
        double floor = (double) options.level1Bytes() / options.levelMultiplier();
        if (level < baseLevel(v, options, bottom)) {
            return floor; // above the base level a level should be empty: a small target drains it
        }
        return Math.max(floor, fromBottom(v, options, level, bottom));
    }

    /**
     * The bytes above {@code level} that compaction will push down through it soon: level 0's once
     * it is at its trigger, and every level's excess over its size target. A level's score is
     * taken against its target plus these (RocksDB's {@code total_downcompact_bytes}), or a small
     * base level under a full level 0 would always outscore it, and level 0 would reach its
     * slowdown trigger while the base level was drained a table at a time.
     */
    private static double incomingBytes(Version v, LsmOptions options, int level, int bottom) {
        double incoming = v.files(0).size() >= options.l0CompactionTrigger() ? v.levelBytes(0) : 0;
        for (int l = 1; l < level; l++) {
            incoming += Math.max(0, v.levelBytes(l) - sizeTarget(v, options, l, bottom));
        }
        return incoming;
    }

    private static double fromBottom(Version v, LsmOptions options, int level, int bottom) {
        double bytes = v.levelBytes(bottom);
        for (int l = bottom; l > level; l--) {
            bytes /= options.levelMultiplier();
        }
        return bytes;
    }

    /**
     * The level that level 0 compacts into (RocksDB's base level): going up from the bottom, the
     * first level whose target sized from the bottom is at most level 1's static target (or level 1
     * itself). With 116 MB at level 3, level 2's share is 11.6 MB and level 1's 1.2 MB: level 0 goes
     * into level 1, whose 1.2 MB then moves down a table at a time. Merging level 0 into the first
     * level of at least level 1's static target instead (this store's first rule: level 2, 11.6 MB)
     * rewrites up to ten times more of it per level-0 compaction: the bottom level itself, every
     * time, while the data is under 100 MB. Never below the first level that holds data, or newer
     * versions would land under older ones.
     */
    static int baseLevel(Version v, LsmOptions options, int bottom) {
        int base = Math.max(1, bottom);
        double share = v.levelBytes(bottom);
        while (base > 1 && share > options.level1Bytes()) {
            base--;
            share /= options.levelMultiplier();
        }
        for (int level = 1; level < base; level++) {
            if (!v.files(level).isEmpty()) {
                return level;
            }
        }
        return base;
    }

    /**
     * Level 0's bytes and level 1's once level 0 is at its trigger, plus, for every level above the
     * bottom one, its excess over its {@linkplain #targetBytes target} times one more than the
     * multiplier: a byte moved down is rewritten with the multiplier's worth of the level below
     * (RocksDB's estimate, simplified). Given code.
     */
    @Override
    public long pendingCompactionBytes(Version v, LsmOptions options) {
        long pending = CompactionPolicy.super.pendingCompactionBytes(v, options);
        int bottom = 0;
        for (int level = 1; level < Version.NUM_LEVELS; level++) {
            if (!v.files(level).isEmpty()) {
                bottom = level;
            }
        }
        for (int level = 1; level < bottom; level++) {
            double excess = v.levelBytes(level) - sizeTarget(v, options, level, bottom);
            if (excess > 0) {
                pending += (long) (excess * (options.levelMultiplier() + 1));
            }
        }
        return pending;
    }

    /** Yes: a table of a level from 1 moves down alone, so where it ends decides what it overlaps below. */
    @Override
    public boolean cutsAtGrandparentEdges() {
        return true;
    }

    @Override
    public Compaction pick(Version v, LsmOptions options, InternalKey[] compactPointer) {
        // BEGIN SOLUTION lab-05 T7
        int bottom = 0;
        for (int level = 1; level < Version.NUM_LEVELS; level++) {
            if (!v.files(level).isEmpty()) {
                bottom = level;
            }
        }
        int best = -1;
        double bestScore = 0;
        for (int level = 0; level < Version.NUM_LEVELS - 1; level++) {
            double score = level == 0
                    ? (double) v.files(0).size() / options.l0CompactionTrigger()
                    : (double) v.levelBytes(level) / targetBytes(v, options, level, bottom);
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
            smallest = smallest == null || f.smallest().userKey().compareTo(smallest) < 0
                    ? f.smallest().userKey()
                    : smallest;
            largest = largest == null || f.largest().userKey().compareTo(largest) > 0
                    ? f.largest().userKey()
                    : largest;
        }
        int into = best == 0 ? baseLevel(v, options, bottom) : best + 1;
        List<FileMeta> next = v.overlapping(into, smallest, largest);
        if (into == best + 1) {
            return new Compaction(best, inputs, next);
        }
        java.util.SortedMap<Integer, List<FileMeta>> byLevel = new java.util.TreeMap<>();
        byLevel.put(best, inputs);
        byLevel.put(into, next);
        return new Compaction(byLevel, into);
        // END SOLUTION
    }
}
