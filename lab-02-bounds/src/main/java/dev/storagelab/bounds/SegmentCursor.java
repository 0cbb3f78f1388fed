package dev.storagelab.bounds;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.Lists;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.sortedlog.SegmentReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A cursor that seeks inside one lab-01 segment and walks it forwards or backwards, reading only
 * the sparse index (already in memory) and the blocks it walks through. This is how a range scan
 * reads a sorted file: binary-search the index for the block where the range starts, read that
 * one block, find the start inside it, and from there read block after block until the caller
 * stops asking.
 *
 * <p>The cursor is lazy: nothing is read before the first {@link #hasNext()}, and I/O errors
 * (including {@link dev.storagelab.kv.CorruptionException}) surface from {@code hasNext()} and
 * {@code next()} as {@link UncheckedIOException}. It holds a reference to the segment
 * ({@link SegmentReader#retain()}) from the seek until it is closed or exhausted, so a
 * compaction may drop the segment while a cursor is still inside it.
 *
 * <p>Entries come in strictly increasing (forward) or strictly decreasing (reverse) key order,
 * tombstones included. Not thread-safe; one cursor per reader.
 */
public final class SegmentCursor implements EntryIterator {

    private static final Comparator<Bytes> ORDER = Comparator.naturalOrder();

    private final SegmentReader segment;
    private final Bytes from;
    private final boolean reverse;

    /** The entries of the block being walked, or null before the seek and once nothing is left. */
    private List<Entry> block;
    /** Which block of the segment {@link #block} is. */
    private int blockIndex;
    /** The next entry to return inside {@link #block}; may step outside it, then the walk moves on. */
    private int position;

    private boolean started;
    private boolean released;

    private SegmentCursor(SegmentReader segment, Bytes from, boolean reverse) {
        this.segment = segment.retain();
        this.from = from;
        this.reverse = reverse;
    }

    /**
     * The entries of {@code segment} with keys {@code >= from}, ascending, tombstones included.
     *
     * @param from where to start; null means from the first key
     * @throws NullPointerException  if {@code segment} is null
     * @throws IllegalStateException if the segment is already closed
     */
    public static EntryIterator seek(SegmentReader segment, Bytes from) {
        checkNotNull(segment, "segment must not be null");
        return new SegmentCursor(segment, from, false);
    }

    /**
     * The entries of {@code segment} with keys {@code <= from}, descending, tombstones included.
     *
     * @param from where to start; null means from the last key
     * @throws NullPointerException  if {@code segment} is null
     * @throws IllegalStateException if the segment is already closed
     */
    public static EntryIterator seekReverse(SegmentReader segment, Bytes from) {
        checkNotNull(segment, "segment must not be null");
        return new SegmentCursor(segment, from, true);
    }

    /**
     * Positions a forward cursor at the first entry with key {@code >= from}: sets {@link #block}
     * with {@link #load(int)} and {@link #position} inside it. {@code from == null} means the
     * first entry of the first block.
     *
     * <ul>
     *   <li>A key greater than {@link SegmentReader#lastKey()} cannot be here: leave
     *       {@link #block} null and read no block at all.</li>
     *   <li>Otherwise the block to read is the last one whose first key is {@code <= from}: a
     *       floor search of {@link SegmentReader#blockFirstKeys()}, which is
     *       {@link Bounds#upperBound(List, Object, Comparator)} {@code - 1}. If {@code from} sorts
     *       before the first block, that is -1: start at block 0.</li>
     *   <li>Inside the block the start is {@link Bounds#lowerBound(List, Object, Comparator)} of
     *       the block's keys ({@link #keys(List)} gives them as a list without copying).</li>
     * </ul>
     *
     * <p>If {@code from} lies after the block's last entry but before the next block's first key,
     * the position is one past the end of the block: that is fine, {@link #hasNext()} then moves
     * on to the next block. Read exactly one block here.
     */
    private void seekForward() throws IOException {
        // BEGIN SOLUTION lab-02 T2
        if (from == null) {
            load(0);
            position = 0;
            return;
        }
        if (from.compareTo(segment.lastKey()) > 0) {
            return;
        }
        int floor = Bounds.upperBound(segment.blockFirstKeys(), from, ORDER) - 1;
        load(Math.max(floor, 0));
        position = Bounds.lowerBound(keys(block), from, ORDER);
        // END SOLUTION
    }

    /**
     * Positions a reverse cursor at the last entry with key {@code <= from}: sets {@link #block}
     * with {@link #load(int)} and {@link #position} inside it. {@code from == null} means the
     * last entry of the last block.
     *
     * <p>The block is again the last one whose first key is {@code <= from}. If there is none
     * ({@code from} sorts before the segment's first key), nothing is {@code <= from}: leave
     * {@link #block} null and read no block. Inside the block, the entry is the one just before
     * the first key {@code > from}: {@link Bounds#upperBound(List, Object, Comparator)} {@code - 1},
     * which cannot be -1 because the block's first key is {@code <= from}. Read exactly one block.
     */
    private void seekBackward() throws IOException {
        // BEGIN SOLUTION lab-02 T2
        if (from == null) {
            load(segment.blockCount() - 1);
            position = block.size() - 1;
            return;
        }
        int floor = Bounds.upperBound(segment.blockFirstKeys(), from, ORDER) - 1;
        if (floor < 0) {
            return;
        }
        load(floor);
        position = Bounds.upperBound(keys(block), from, ORDER) - 1;
        // END SOLUTION
    }

    /** Moves to the neighbouring block in the walk's direction, or sets {@link #block} null at the segment's end. */
    private void nextBlock() throws IOException {
        int next = reverse ? blockIndex - 1 : blockIndex + 1;
        if (next < 0 || next >= segment.blockCount()) {
            block = null;
            return;
        }
        load(next);
        position = reverse ? block.size() - 1 : 0;
    }

    /** Reads block {@code i} (one I/O, CRC checked) and makes it the block being walked. */
    private void load(int i) throws IOException {
        block = segment.readBlock(i).entries();
        blockIndex = i;
    }

    /** The keys of {@code entries}, as a random-access view (no copy) for {@link Bounds}. */
    private static List<Bytes> keys(List<Entry> entries) {
        return Lists.transform(entries, Entry::key);
    }

    @Override
    public boolean hasNext() {
        if (released) {
            return false;
        }
        try {
            if (!started) {
                started = true;
                if (reverse) {
                    seekBackward();
                } else {
                    seekForward();
                }
            }
            while (block != null && (position < 0 || position >= block.size())) {
                nextBlock();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (block == null) {
            close(); // exhausted: let go of the segment now, not when the caller gets round to it
            return false;
        }
        return true;
    }

    @Override
    public Entry next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the cursor over " + segment.name() + " is exhausted");
        }
        Entry e = block.get(position);
        position += reverse ? -1 : 1;
        return e;
    }

    /** Releases the cursor's reference to the segment. Idempotent. */
    @Override
    public void close() {
        if (released) {
            return;
        }
        released = true;
        block = null;
        try {
            segment.release();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
