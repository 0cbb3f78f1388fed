package dev.storagelab.lsm;

import java.util.ArrayList;
import java.util.List;

/**
 * A compaction: input tables by level, merged into level {@code output}. Leveled: the inputs
 * of one level and the overlapping tables of the next, into the next. Size-tiered: every run
 * from level 0 down to the deepest one it takes, into that one (or level 0). Manual
 * ({@link LsmStore#compactAll}): the deepest level into itself.
 */
public record Compaction(java.util.SortedMap<Integer, List<FileMeta>> inputsByLevel, int output) {

    /** Leveled: {@code inputs} of {@code level} and {@code nextInputs} of {@code level + 1}, into {@code level + 1}. */
    Compaction(int level, List<FileMeta> inputs, List<FileMeta> nextInputs) {
        this(levels(level, inputs, nextInputs), level + 1);
    }

    private static java.util.SortedMap<Integer, List<FileMeta>> levels(
            int level, List<FileMeta> inputs, List<FileMeta> nextInputs) {
        java.util.SortedMap<Integer, List<FileMeta>> m = new java.util.TreeMap<>();
        m.put(level, List.copyOf(inputs));
        m.put(level + 1, List.copyOf(nextInputs));
        return m;
    }

    /** The shallowest input level. */
    public int level() {
        return inputsByLevel.firstKey();
    }

    /** The shallowest level's inputs. */
    public List<FileMeta> inputs() {
        return inputsByLevel.get(level());
    }

    /** Every input table. */
    public List<FileMeta> allInputs() {
        List<FileMeta> all = new ArrayList<>();
        inputsByLevel.values().forEach(all::addAll);
        return all;
    }

    /**
     * {@code files} sorted by smallest key if their user-key ranges are disjoint (each table's
     * largest user key before the next one's smallest), else null. Only such a list reads as one
     * sorted run ({@link LevelIterator}) or moves into one level below level 0. Whether a level's
     * inputs are disjoint is decided from their key ranges, not from the level: level 0's tables
     * may overlap or not, and a picker may hand a deeper level's tables in any order (lab-07's
     * {@code CompactionViews.closeOver} adds them as it finds them).
     */
    static List<FileMeta> inKeyOrderIfDisjoint(List<FileMeta> files) {
        List<FileMeta> sorted = new ArrayList<>(files);
        sorted.sort(Version.BY_SMALLEST);
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i - 1)
                            .largest()
                            .userKey()
                            .compareTo(sorted.get(i).smallest().userKey())
                    >= 0) {
                return null;
            }
        }
        return sorted;
    }

    /**
     * Whether this compaction can move its input tables down without rewriting them (LevelDB's
     * trivial move, and RocksDB's for several level-0 tables): the inputs come from one level, no
     * table of the output level (or of a level between) overlaps them, no two of them overlap each
     * other (level 0's tables may), and none overlaps much of the level after the output in
     * {@code v} (at most 10 tables of {@code tableBytes}), or the moved table would make a costly
     * compaction later. Sequential inserts move down this way at almost no cost: each flush of
     * ascending keys is a level-0 table beside the others, and they all move into the base level
     * at once.
     */
    boolean isTrivialMove(Version v, long tableBytes) {
        if (output <= level() || output >= Version.NUM_LEVELS) {
            return false;
        }
        for (java.util.Map.Entry<Integer, List<FileMeta>> e : inputsByLevel.entrySet()) {
            if (e.getKey() != level() && !e.getValue().isEmpty()) {
                return false;
            }
        }
        List<FileMeta> moved = inKeyOrderIfDisjoint(inputs());
        if (moved == null || moved.isEmpty()) {
            return false;
        }
        if (output + 1 >= Version.NUM_LEVELS) {
            return true;
        }
        for (FileMeta f : moved) {
            long grandparentBytes = 0;
            for (FileMeta g : v.overlapping(
                    output + 1, f.smallest().userKey(), f.largest().userKey())) {
                grandparentBytes += g.size();
            }
            if (grandparentBytes > 10 * tableBytes) {
                return false;
            }
        }
        return true;
    }
}
