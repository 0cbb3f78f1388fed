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
     * Whether this compaction can move its one input table down a level without rewriting it
     * (LevelDB's trivial move): one table, nothing in the next level overlapping it, and not much
     * in the level after that in {@code v} (at most 10 tables of {@code tableBytes}), or the moved
     * table would make a costly compaction later. Sequential inserts move down this way at almost
     * no cost.
     */
    boolean isTrivialMove(Version v, long tableBytes) {
        if (output != level() + 1 || allInputs().size() != 1 || output >= Version.NUM_LEVELS) {
            return false;
        }
        FileMeta f = allInputs().get(0);
        if (output + 1 >= Version.NUM_LEVELS) {
            return true;
        }
        long grandparentBytes = 0;
        for (FileMeta g :
                v.overlapping(output + 1, f.smallest().userKey(), f.largest().userKey())) {
            grandparentBytes += g.size();
        }
        return grandparentBytes <= 10 * tableBytes;
    }
}
