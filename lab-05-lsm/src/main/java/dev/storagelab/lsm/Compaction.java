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

    private static java.util.SortedMap<Integer, List<FileMeta>> levels(int level, List<FileMeta> inputs,
                                                                     List<FileMeta> nextInputs) {
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
}
