package dev.storagelab.hybrid.compaction;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.lsm.Compaction;
import dev.storagelab.lsm.CompactionPolicy;
import dev.storagelab.lsm.FileMeta;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Time-window compaction (lab-07 T8), Cassandra's TWCS over the lab-05 store's levels: the keys
 * carry the time they were written at ({@link KeyTime}), time is cut into windows of a fixed
 * width, and tables of different windows are never merged. Only the newest window is compacted
 * as new data comes in; a window that is no longer the newest is compacted once, into one sorted
 * run at the bottom level, and then left alone. Time-ordered appends are written about twice
 * (the flush, the window's one compaction) however old the data grows, and a late write costs a
 * rewrite of its own window only.
 *
 * <p>The layout: the bottom level ({@link Version#NUM_LEVELS} - 1) holds the closed windows, a run
 * each; the newest window lives above it, its flushed tables at level 0 and its run at level 1.
 * Output tables are cut at window boundaries
 * ({@link #cutBetween}), so no table a compaction writes spans two windows.
 *
 * <p>A table belongs to the window of its largest key (Cassandra: of its newest timestamp). A
 * flushed table that spans windows is first rewritten alone, cut into a table per window, so
 * that each part goes its own window's way.
 */
public final class TimeWindowCompaction implements CompactionPolicy {

    /** The level closed windows live at, a run each. */
    public static final int BOTTOM = Version.NUM_LEVELS - 1;

    private final KeyTime keyTime;
    private final long windowWidth;

    /**
     * @param keyTime     where a key's time is
     * @param windowWidth the width of a window, in {@code keyTime}'s unit (an hour or a day of
     *                    orders), positive
     */
    public TimeWindowCompaction(KeyTime keyTime, long windowWidth) {
        this.keyTime = Objects.requireNonNull(keyTime, "keyTime");
        checkArgument(windowWidth > 0, "windowWidth must be positive: %s", windowWidth);
        this.windowWidth = windowWidth;
    }

    /** The window of a user key: its time divided by the width, rounded down. */
    public long windowOf(byte[] userKey) {
        return Math.floorDiv(keyTime.timeOf(userKey), windowWidth);
    }

    /** The window a table belongs to: its largest key's. */
    public long windowOf(FileMeta table) {
        return windowOf(table.largest().userKey().toByteArray());
    }

    /** Where a key's time is. */
    public KeyTime keyTime() {
        return keyTime;
    }

    /** The width of a window. */
    public long windowWidth() {
        return windowWidth;
    }

    /** Cuts a compaction's output between two keys of different windows. */
    @Override
    public boolean cutBetween(byte[] previousUserKey, byte[] userKey) {
        return windowOf(previousUserKey) != windowOf(userKey);
    }

    /** One window's tables, by level (each level's in the level's order). */
    record Window(long window, SortedMap<Integer, List<FileMeta>> tablesByLevel) {

        /** Whether the window has a table above the bottom level: work left before it is one run. */
        boolean hasTablesAboveBottom() {
            return tablesByLevel.keySet().stream().anyMatch(level -> level < BOTTOM);
        }
    }

    /**
     * The tables of {@code v} grouped by the window they belong to ({@link #windowOf(FileMeta)}),
     * oldest window first; within a window, by level, each level's tables in the level's order
     * (level 0 newest first). Every table of {@code v} is in exactly one window.
     */
    SortedMap<Long, Window> windows(Version v) {
        // BEGIN SOLUTION lab-07 T8
        SortedMap<Long, Window> windows = new TreeMap<>();
        for (int level = 0; level < Version.NUM_LEVELS; level++) {
            for (FileMeta f : v.files(level)) {
                windows.computeIfAbsent(windowOf(f), w -> new Window(w, new TreeMap<>()))
                        .tablesByLevel()
                        .computeIfAbsent(level, l -> new ArrayList<>())
                        .add(f);
            }
        }
        return windows;
        // END SOLUTION
    }

    /**
     * The most urgent compaction, or null. First a level-0 table that spans windows (a late write
     * flushed beside new ones): rewritten alone into level 0, where the output is cut into a table
     * per window ({@link #cutBetween}); then each piece is in its own window's group, and the old
     * windows' bottom runs are never merged with each other because one table reached across them.
     * Then the oldest window that is no longer the newest
     * (the newest is the window of the largest key in {@code v}) and still has a table above the
     * bottom level: all its tables above the bottom compact into the bottom level, once, as one
     * run. Otherwise the newest window's own compaction: see {@link #pickNewest}.
     * Either way the pick is grown by {@link CompactionViews#closeOver} (given), which leaves it as
     * it is unless a table reaches out of its window.
     */
    @Override
    public Compaction pick(Version v, LsmOptions options, InternalKey[] compactPointer) {
        SortedMap<Long, Window> windows = windows(v);
        if (windows.isEmpty()) {
            return null;
        }
        // BEGIN SOLUTION lab-07 T8
        for (FileMeta f : v.files(0)) {
            if (windowOf(f.smallest().userKey().toByteArray()) != windowOf(f)) {
                return CompactionViews.closeOver(v, new Compaction(new TreeMap<>(java.util.Map.of(0, List.of(f))), 0));
            }
        }
        long newest = windows.lastKey();
        for (Window w : windows.headMap(newest).values()) {
            if (w.hasTablesAboveBottom()) {
                SortedMap<Integer, List<FileMeta>> inputs = new TreeMap<>(w.tablesByLevel());
                inputs.remove(BOTTOM); // closeOver takes the bottom tables the inputs overlap, no more
                return CompactionViews.closeOver(v, new Compaction(inputs, BOTTOM));
            }
        }
        Compaction c = pickNewest(windows.get(newest), options);
        return c == null ? null : CompactionViews.closeOver(v, c);
        // END SOLUTION
    }

    /**
     * The newest window's compaction, or null (given). A level-0 table of the window that overlaps
     * no other table of the window above the bottom moves to level 1 alone (the store moves it
     * without rewriting it: time-ordered appends reach their window's run for free). Otherwise,
     * once level 0 holds {@link LsmOptions#l0CompactionTrigger} tables of the window, they merge
     * into the window's level-1 run, with the level-1 tables they overlap (leveled, one level
     * deep). Orders that arrive a little out of order overlap only the tail of that run, so this
     * rewrites little: size-tiering the window instead (Cassandra's choice) measured 4.7x the bytes
     * flushed on orders up to a fifth of a window late, this 2.8x (the handout's T8 table).
     */
    Compaction pickNewest(Window w, LsmOptions options) {
        List<FileMeta> l0 = w.tablesByLevel().getOrDefault(0, List.of());
        List<FileMeta> above = new ArrayList<>();
        w.tablesByLevel().forEach((level, files) -> {
            if (level < BOTTOM) {
                above.addAll(files);
            }
        });
        for (int i = l0.size() - 1; i >= 0; i--) { // oldest first: a newer one may overlap it
            FileMeta f = l0.get(i);
            boolean alone = above.stream().noneMatch(g -> g != f && overlaps(f, g));
            if (alone) {
                return new Compaction(new TreeMap<>(java.util.Map.of(0, List.of(f))), 1);
            }
        }
        if (l0.size() < options.l0CompactionTrigger()) {
            return null;
        }
        SortedMap<Integer, List<FileMeta>> inputs = new TreeMap<>();
        inputs.put(0, l0);
        List<FileMeta> run = new ArrayList<>();
        for (FileMeta f : w.tablesByLevel().getOrDefault(1, List.of())) {
            if (l0.stream().anyMatch(g -> overlaps(f, g))) {
                run.add(f);
            }
        }
        if (!run.isEmpty()) {
            inputs.put(1, run);
        }
        return new Compaction(inputs, 1);
    }

    private static boolean overlaps(FileMeta a, FileMeta b) {
        return a.overlaps(b.smallest().userKey(), b.largest().userKey());
    }

    @Override
    public String toString() {
        return "TimeWindowCompaction(width " + windowWidth + ")";
    }
}
