package dev.storagelab.hybrid.compaction;

import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.Compaction;
import dev.storagelab.lsm.FileMeta;
import dev.storagelab.lsm.Version;
import dev.storagelab.lsm.VersionEdit;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Given code shared by the lab-07 policies: a version restricted to a key range (what a per-range
 * policy looks at), and {@link #closeOver}, which grows a compaction picked on such a view until
 * the store can run it on the whole version without breaking the LSM tree's order.
 */
public final class CompactionViews {

    private CompactionViews() {}

    /**
     * The tables of {@code v} whose user keys meet {@code [lo, hi)} (null is unbounded), each at
     * its level: a version of its own, which a lab-05 policy can pick on as if it were the whole
     * tree. A table that reaches beyond the range is in it whole.
     */
    public static Version restrict(Version v, Bytes lo, Bytes hi) {
        VersionEdit edit = new VersionEdit();
        for (int level = 0; level < Version.NUM_LEVELS; level++) {
            for (FileMeta f : v.files(level)) {
                if (meets(f, lo, hi)) {
                    edit.addFile(level, f);
                }
            }
        }
        return Version.empty().apply(edit);
    }

    /** Whether {@code f}'s user keys meet {@code [lo, hi)} (null is unbounded). */
    public static boolean meets(FileMeta f, Bytes lo, Bytes hi) {
        return (lo == null || f.largest().userKey().compareTo(lo) >= 0)
                && (hi == null || f.smallest().userKey().compareTo(hi) < 0);
    }

    /**
     * {@code c} (picked on {@code v} or on a view of it), grown until it is safe to run on
     * {@code v}: over the user-key range of its inputs, every table of a level between its
     * shallowest input level and its output level (both included, from level 1) joins it, or the
     * moved data would land under an older version of a key, or overlap a table of the output
     * level; from level 0, every table older than an input joins it when the data goes down (the
     * older table would be read first otherwise), and every overlapping one when it stays at level
     * 0: a newer one because the output, numbered newest, would hide it, an older one because the
     * store drops a deletion that no level below the output holds, and an older level-0 table
     * outside the compaction is not below level 0 (its value would come back). Each table that joins may
     * widen the range: repeated until nothing more joins. A picker that keeps its inputs inside a
     * range the other tables do not reach gets {@code c} back unchanged.
     *
     * @throws IllegalArgumentException if the output is above an input level: data never moves up
     */
    public static Compaction closeOver(Version v, Compaction c) {
        int output = c.output();
        if (c.inputsByLevel().lastKey() > output) {
            throw new IllegalArgumentException(
                    "compaction " + c + " moves level " + c.inputsByLevel().lastKey() + " up into level " + output);
        }
        SortedMap<Integer, List<FileMeta>> inputs = new TreeMap<>();
        c.inputsByLevel().forEach((level, files) -> inputs.put(level, new ArrayList<>(files)));
        boolean grew = true;
        while (grew) {
            grew = false;
            Bytes lo = null;
            Bytes hi = null;
            long newestL0 = Long.MIN_VALUE;
            for (var e : inputs.entrySet()) {
                for (FileMeta f : e.getValue()) {
                    lo = lo == null || f.smallest().userKey().compareTo(lo) < 0
                            ? f.smallest().userKey()
                            : lo;
                    hi = hi == null || f.largest().userKey().compareTo(hi) > 0
                            ? f.largest().userKey()
                            : hi;
                    if (e.getKey() == 0) {
                        newestL0 = Math.max(newestL0, f.number());
                    }
                }
            }
            if (lo == null) {
                break;
            }
            int shallowest = inputs.firstKey();
            for (int level = Math.max(1, shallowest); level <= output; level++) {
                grew |= addAll(inputs, level, v.overlapping(level, lo, hi));
            }
            if (shallowest == 0) {
                List<FileMeta> join = new ArrayList<>();
                for (FileMeta f : v.overlapping(0, lo, hi)) {
                    if (output == 0 || f.number() < newestL0) {
                        join.add(f);
                    }
                }
                grew |= addAll(inputs, 0, join);
            }
        }
        SortedMap<Integer, List<FileMeta>> out = new TreeMap<>();
        inputs.forEach((level, files) -> {
            if (!files.isEmpty()) {
                out.put(level, List.copyOf(files));
            }
        });
        return new Compaction(out, output);
    }

    private static boolean addAll(SortedMap<Integer, List<FileMeta>> inputs, int level, List<FileMeta> files) {
        boolean added = false;
        for (FileMeta f : files) {
            List<FileMeta> at = inputs.computeIfAbsent(level, l -> new ArrayList<>());
            if (at.stream().noneMatch(g -> g.number() == f.number())) {
                at.add(f);
                added = true;
            }
        }
        return added;
    }

    /** The number of input tables of {@code c}. */
    static int inputCount(Compaction c) {
        return c.allInputs().size();
    }
}
