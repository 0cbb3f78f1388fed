package dev.storagelab.bounds;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.Memtable;
import dev.storagelab.sortedlog.SegmentReader;
import dev.storagelab.sortedlog.SortedLogStore;
import dev.storagelab.sortedlog.StoreSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Range scans over the lab-01 {@link SortedLogStore}: {@code SELECT * WHERE key >= from AND key <
 * to}, in key order or in reverse. A scan reads one {@link StoreSnapshot}: it opens a cursor on
 * every memtable and every segment of the snapshot, positioned at the start of the range, merges
 * them newest-wins with a {@link MergingIterator}, skips tombstones and stops at the end of the
 * range.
 *
 * <p>The snapshot pins the segments the scan started with: a flush or compaction that finishes
 * mid-scan installs a new version of the store without touching this one, and its input files
 * stay readable until the scan lets go. So a scan never sees half of a flush or compaction: no
 * key twice, no key missing. (Writes to the active memtable made after the scan started may or
 * may not be seen; lab-06 adds sequence numbers to make scans exact snapshots.)
 *
 * <p>Each scan holds its snapshot until it is {@linkplain #close() closed} or exhausted,
 * whichever comes first; an open scan pins segment files, so use it in try-with-resources.
 * Ranges are half-open, {@code [from, to)}, so consecutive ranges tile the key space with no
 * overlap. Not thread-safe; one scan per reader.
 */
public final class RangeScan implements EntryIterator {

    private final StoreSnapshot snapshot;
    private final EntryIterator merged;
    private final Bytes from;
    private final Bytes to;
    private final boolean descending;
    private Entry next;
    private boolean closed;

    private RangeScan(StoreSnapshot snapshot, EntryIterator merged, Bytes from, Bytes to, boolean descending) {
        this.snapshot = snapshot;
        this.merged = merged;
        this.from = from;
        this.to = to;
        this.descending = descending;
    }

    /**
     * The live entries (no tombstones) with {@code from <= key < to}, in increasing key order.
     *
     * @param from the first key of the range, inclusive; null means from the first key
     * @param to   the end of the range, exclusive; null means to the last key
     * @throws IllegalArgumentException if {@code from > to}
     * @throws IllegalStateException    if the store is closed
     */
    public static EntryIterator scan(SortedLogStore store, Bytes from, Bytes to) {
        return open(store, from, to, false);
    }

    /**
     * The same range as {@link #scan}, in decreasing key order: for time-ordered keys, newest
     * first ("the last 20 events").
     *
     * @param from the first key of the range, inclusive; null means from the first key
     * @param to   the end of the range, exclusive; null means to the last key
     * @throws IllegalArgumentException if {@code from > to}
     * @throws IllegalStateException    if the store is closed
     */
    public static EntryIterator scanReverse(SortedLogStore store, Bytes from, Bytes to) {
        return open(store, from, to, true);
    }

    /**
     * The live entries whose key starts with {@code prefix}, ascending: the range
     * {@code [prefix, prefixEnd(prefix))}.
     *
     * @throws NullPointerException if an argument is null
     */
    public static EntryIterator scanPrefix(SortedLogStore store, Bytes prefix) {
        checkNotNull(prefix, "prefix must not be null");
        return scan(store, prefix, prefixEnd(prefix));
    }

    /**
     * The smallest key greater than every key that starts with {@code prefix}, or null if there is
     * none: the exclusive end of a prefix scan.
     *
     * <p>Increment the last byte that is not {@code 0xFF} and drop everything after it:
     * {@code "ab" -> "ac"}, {@code "a\xFF" -> "b"}. Bytes compare unsigned, so {@code 0xFF} is the
     * largest byte and cannot be incremented; a prefix of only {@code 0xFF} bytes (or the empty
     * prefix) has no end, and the scan runs to the last key. Appending {@code 0xFF} instead would
     * be wrong: {@code "ab\xFF\xFF"} still starts with {@code "ab"} and sorts after {@code "ab\xFF"}.
     *
     * @throws NullPointerException if {@code prefix} is null
     */
    public static Bytes prefixEnd(Bytes prefix) {
        checkNotNull(prefix, "prefix must not be null");
        // BEGIN SOLUTION lab-02 T4
        byte[] b = prefix.toByteArray();
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] != (byte) 0xFF) {
                b[i]++;
                return Bytes.copyOf(b, 0, i + 1);
            }
        }
        return null;
        // END SOLUTION
    }

    private static EntryIterator open(SortedLogStore store, Bytes from, Bytes to, boolean descending) {
        checkNotNull(store, "store must not be null");
        checkArgument(
                from == null || to == null || from.compareTo(to) <= 0,
                "range start %s is after its end %s; a range is [from, to)",
                from,
                to);
        StoreSnapshot snapshot = store.snapshot();
        try {
            List<EntryIterator> sources = sources(snapshot, descending ? to : from, descending);
            return new RangeScan(snapshot, new MergingIterator(sources, descending), from, to, descending);
        } catch (RuntimeException e) {
            snapshot.close();
            throw e;
        }
    }

    /**
     * One cursor per source of {@code snapshot}, newest first (the memtables, then the segments,
     * as the snapshot lists them), each positioned at {@code start}: ascending, the first key
     * {@code >= start} ({@link Memtable#iterator(Bytes)}, {@link SegmentCursor#seek}); descending,
     * the last key {@code <= start} ({@link Memtable#descendingIterator(Bytes)},
     * {@link SegmentCursor#seekReverse}). A null {@code start} means from the first (last) key.
     *
     * <p>Seeking every source costs one binary search of each segment's index; nothing before the
     * range is ever read. The order of the list is what makes the merge newest-wins.
     */
    private static List<EntryIterator> sources(StoreSnapshot snapshot, Bytes start, boolean descending) {
        List<EntryIterator> sources = new ArrayList<>();
        // BEGIN SOLUTION lab-02 T4
        for (Memtable m : snapshot.memtables()) {
            sources.add(descending ? m.descendingIterator(start) : m.iterator(start));
        }
        for (SegmentReader s : snapshot.segments()) {
            sources.add(descending ? SegmentCursor.seekReverse(s, start) : SegmentCursor.seek(s, start));
        }
        return sources;
        // END SOLUTION
    }

    /**
     * The next live entry of the range from {@link #merged}, or null when the range is done.
     *
     * <p>The merge has already chosen the newest version of each key; what is left is the range
     * and the deletes. Skip tombstones: a deleted key is not in the result, and its older value
     * must not show through (the merge took care of that). Stop at the end of the range: at the
     * first key {@code >= to} ascending, or {@code < from} descending; the sources are sorted, so
     * nothing after it can be in the range. Descending, the sources start at {@code to} itself,
     * which is excluded: skip it.
     */
    private Entry advance() {
        // BEGIN SOLUTION lab-02 T4
        while (merged.hasNext()) {
            Entry e = merged.next();
            if (descending) {
                if (from != null && e.key().compareTo(from) < 0) {
                    return null;
                }
                if (to != null && e.key().compareTo(to) >= 0) {
                    continue;
                }
            } else if (to != null && e.key().compareTo(to) >= 0) {
                return null;
            }
            if (!e.isTombstone()) {
                return e;
            }
        }
        return null;
        // END SOLUTION
    }

    @Override
    public boolean hasNext() {
        if (closed) {
            return false;
        }
        if (next == null) {
            next = advance();
            if (next == null) {
                close(); // exhausted: release the snapshot now, not when the caller remembers to
                return false;
            }
        }
        return true;
    }

    @Override
    public Entry next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the range scan is exhausted");
        }
        Entry e = next;
        next = null;
        return e;
    }

    /** Closes the cursors and releases the snapshot. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        next = null;
        try {
            merged.close();
        } finally {
            snapshot.close();
        }
    }
}
