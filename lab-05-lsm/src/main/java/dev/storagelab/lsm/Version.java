package dev.storagelab.lsm;

import dev.storagelab.kv.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The table files of the database at one moment, level by level (lab-05 T6): what the MANIFEST's
 * edits add up to. Immutable: {@link #apply} makes a new version, so a reader that took a version
 * keeps a consistent set of tables while flushes and compactions make newer ones.
 *
 * <p>Invariants, checked by {@link #apply}:
 * <ul>
 *   <li>a table number appears at most once in the whole version;</li>
 *   <li>level 0 holds flushed memtables, whose key ranges may overlap; its files are sorted newest
 *       first (by file number, descending: a flush takes a larger number than every earlier one),
 *       the order a get must search them in;</li>
 *   <li>every level from 1 is sorted by smallest key and its tables' <em>user-key</em> ranges are
 *       disjoint: the largest user key of a table sorts strictly before the smallest user key of the
 *       next. So at most one table per level can hold a user key, and a compaction must never split
 *       the versions of one user key across two output tables.</li>
 * </ul>
 */
public final class Version {

    /** Levels 0 to 6, as LevelDB. */
    public static final int NUM_LEVELS = 7;

    /** Level 0's order: the newest (largest number) first. */
    static final Comparator<FileMeta> NEWEST_FIRST =
            Comparator.comparingLong(FileMeta::number).reversed();
    /** Level 1+'s order: by smallest key. */
    static final Comparator<FileMeta> BY_SMALLEST = Comparator.comparing(FileMeta::smallest);

    private static final Version EMPTY = new Version(emptyLevels());

    /**
     * The tables of each level, in the level's order, never changed after the constructor: what a get
     * searches ({@link #filesFor}). Arrays, not lists: a list's size and get are calls whose class
     * varies with the level's length ({@code List.of}'s classes differ for one or two elements and for
     * more), so that a get meeting a new length made the compiled search be thrown away and compiled
     * again, beside the reader.
     */
    private final FileMeta[][] tables;

    /** The same tables as unmodifiable lists, all of one class ({@link #files}). */
    private final List<List<FileMeta>> levels;

    private Version(List<List<FileMeta>> levels) {
        this.tables = new FileMeta[levels.size()][];
        List<List<FileMeta>> views = new ArrayList<>(NUM_LEVELS);
        for (int level = 0; level < tables.length; level++) {
            tables[level] = levels.get(level).toArray(new FileMeta[0]);
            views.add(Collections.unmodifiableList(Arrays.asList(tables[level])));
        }
        this.levels = List.copyOf(views);
    }

    /** The version of a new database: no table at any level. */
    public static Version empty() {
        return EMPTY;
    }

    private static List<List<FileMeta>> emptyLevels() {
        List<List<FileMeta>> levels = new ArrayList<>(NUM_LEVELS);
        for (int i = 0; i < NUM_LEVELS; i++) {
            levels.add(new ArrayList<>());
        }
        return levels;
    }

    /** Checks a level number and returns it. */
    public static int checkLevel(int level) {
        if (level < 0 || level >= NUM_LEVELS) {
            throw new IllegalArgumentException("level must be in [0, " + NUM_LEVELS + "): " + level);
        }
        return level;
    }

    /**
     * The version this one becomes after {@code edit}'s file changes (its counters and compact
     * pointers are the {@link Manifest}'s business, not the version's). This version is not changed.
     *
     * <p>First every deleted file is removed from its level, then every new file is added to its
     * level; then level 0 is sorted newest first and every other level by smallest key, and the
     * invariants in the class comment are checked.
     *
     * @throws IllegalArgumentException if the edit deletes a table that is not at the level it
     *         names, adds a table whose number is already in the version (or twice), or leaves two
     *         tables of a level from 1 with overlapping user-key ranges; the message names the
     *         level and the tables
     */
    public Version apply(VersionEdit edit) {
        List<List<FileMeta>> next = new ArrayList<>(NUM_LEVELS);
        for (List<FileMeta> files : levels) {
            next.add(new ArrayList<>(files));
        }
        // BEGIN SOLUTION lab-05 T6
        for (VersionEdit.DeletedFile d : edit.deletedFiles()) {
            if (!next.get(d.level()).removeIf(f -> f.number() == d.number())) {
                throw new IllegalArgumentException(
                        "edit deletes table #" + d.number() + " from L" + d.level() + ", which does not hold it");
            }
        }
        Set<Long> numbers = new TreeSet<>();
        for (List<FileMeta> files : next) {
            files.forEach(f -> numbers.add(f.number()));
        }
        for (VersionEdit.NewFile f : edit.newFiles()) {
            if (!numbers.add(f.meta().number())) {
                throw new IllegalArgumentException("edit adds table #"
                        + f.meta().number() + " to L" + f.level() + ", but that number is already in the version");
            }
            next.get(f.level()).add(f.meta());
        }
        next.get(0).sort(NEWEST_FIRST);
        for (int level = 1; level < NUM_LEVELS; level++) {
            List<FileMeta> files = next.get(level);
            files.sort(BY_SMALLEST);
            for (int i = 1; i < files.size(); i++) {
                FileMeta prev = files.get(i - 1);
                FileMeta cur = files.get(i);
                if (prev.largest().userKey().compareTo(cur.smallest().userKey()) >= 0) {
                    throw new IllegalArgumentException("L" + level + ": table " + prev + " overlaps table " + cur
                            + " (tables of a level from 1 must hold disjoint user-key ranges)");
                }
            }
        }
        return new Version(next);
        // END SOLUTION
    }

    /** The tables of {@code level} in the level's order (see the class comment), unmodifiable. */
    public List<FileMeta> files(int level) {
        return levels.get(checkLevel(level));
    }

    /** The number of tables at {@code level}. */
    public int fileCount(int level) {
        return tables[checkLevel(level)].length;
    }

    /** The sum of the sizes of the tables at {@code level}: what leveled compaction compares with the level's target. */
    public long levelBytes(int level) {
        long sum = 0;
        for (FileMeta f : tables[checkLevel(level)]) {
            sum += f.size();
        }
        return sum;
    }

    /**
     * The tables of {@code level} whose user keys meet {@code [lo, hi]} (inclusive; null is
     * unbounded), in the level's order. At level 0 every table is tested; at a level from 1 a
     * binary search finds the first table whose largest user key is at or after {@code lo}.
     */
    public List<FileMeta> overlapping(int level, Bytes lo, Bytes hi) {
        List<FileMeta> files = files(level);
        List<FileMeta> out = new ArrayList<>();
        if (level == 0) {
            for (FileMeta f : files) {
                if (f.overlaps(lo, hi)) {
                    out.add(f);
                }
            }
            return out;
        }
        int left = 0;
        int right = files.size();
        while (lo != null && left < right) {
            int mid = (left + right) >>> 1;
            if (files.get(mid).largest().userKey().compareTo(lo) < 0) {
                left = mid + 1;
            } else {
                right = mid;
            }
        }
        for (int i = left; i < files.size() && files.get(i).overlaps(lo, hi); i++) {
            out.add(files.get(i));
        }
        return out;
    }

    /**
     * The tables of {@code level} that may hold {@code key}, in the order a read asks them: in level
     * 0 every table whose key range holds it, newest first (level-0 tables may overlap); in a deeper
     * level at most one, found by binary search over the tables' largest keys (they do not overlap).
     */
    public List<FileMeta> filesFor(int level, Bytes key) {
        FileMeta[] files = tables[checkLevel(level)];
        if (level == 0) {
            FileMeta[] hits = new FileMeta[files.length];
            int n = 0;
            for (FileMeta f : files) { // newest first
                if (f.overlaps(key, key)) {
                    hits[n++] = f;
                }
            }
            // A list of the same kinds as below (List.of's): a get walks these lists on every level, and
            // a third kind (an ArrayList here) made the walk's iterator() call megamorphic, so that it
            // was neither inlined nor its iterator kept off the heap, and this method was compiled again
            // each time a get met a kind its compiled code had not seen.
            return n == hits.length ? List.of(hits) : List.of(Arrays.copyOf(hits, n));
        }
        int lo = 0;
        int hi = files.length;
        while (lo < hi) { // the first table whose largest user key is >= key
            int mid = (lo + hi) >>> 1;
            if (files[mid].largest().userKey().compareTo(key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo < files.length && files[lo].smallest().userKey().compareTo(key) <= 0) {
            return List.of(files[lo]);
        }
        return List.of();
    }

    /**
     * Whether no level below {@code level} holds {@code key} in its tables' key ranges: a compaction
     * into {@code level} may then drop a deletion of the key, as nothing is left for it to hide.
     */
    public boolean isBaseLevelForKey(int level, Bytes key) {
        for (int l = level + 1; l < NUM_LEVELS; l++) {
            if (!filesFor(l, key).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Whether no level below {@code level} holds a table: a compaction into it writes the bottommost data. */
    public boolean isBottommost(int level) {
        for (int l = level + 1; l < NUM_LEVELS; l++) {
            if (tables[l].length > 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The levels, a line each: the tables with their sizes and key ranges, and each level's
     * compaction trigger or target under {@code options} (the shell's {@code levels}).
     */
    public String describe(LsmOptions options) {
        StringBuilder out = new StringBuilder();
        for (int level = 0; level < NUM_LEVELS; level++) {
            List<FileMeta> files = files(level);
            out.append(String.format(
                    "L%d: %d tables, %,d bytes%s%n",
                    level,
                    files.size(),
                    levelBytes(level),
                    level == 0
                            ? " (compacted at " + options.l0CompactionTrigger() + " tables)"
                            : " (target " + String.format("%,d", options.levelTargetBytes(level)) + ")"));
            for (FileMeta f : files) {
                out.append(String.format(
                        "    %s  %,d bytes  [%s .. %s]%n",
                        LsmFileNames.table(f.number()), f.size(), f.smallest(), f.largest()));
            }
        }
        return out.toString();
    }

    /** The numbers of every table in this version. */
    public Set<Long> liveFiles() {
        Set<Long> out = new TreeSet<>();
        for (List<FileMeta> files : levels) {
            files.forEach(f -> out.add(f.number()));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Version v && levels.equals(v.levels);
    }

    @Override
    public int hashCode() {
        return levels.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Version{");
        for (int level = 0; level < NUM_LEVELS; level++) {
            if (!levels.get(level).isEmpty()) {
                sb.append(" L").append(level).append('=').append(levels.get(level));
            }
        }
        return sb.append(" }").toString();
    }
}
