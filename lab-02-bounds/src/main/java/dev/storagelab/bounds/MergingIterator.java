package dev.storagelab.bounds;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * A k-way merge of sorted sources into one sorted stream in which each key appears once, the
 * newest source's entry winning: the iterator under every read of an LSM tree (LevelDB's
 * {@code table/merger.cc}). A min-heap ({@link PriorityQueue}) holds the current head of each
 * source, so each entry costs O(log k) comparisons for k sources, where lab-01's stacked
 * {@link dev.storagelab.sortedlog.NewestWinsMerge} pays O(k).
 *
 * <p>Tombstones are passed through: the merge decides which version of a key is current, and the
 * caller decides what a tombstone means (a range scan skips it; a compaction may keep it).
 *
 * <p>Lazy: no source is touched before the first {@link #hasNext()}. Not thread-safe.
 */
public final class MergingIterator implements EntryIterator {

    /** The head of one source: its next entry, and which source it came from (0 = newest). */
    private record Head(Entry entry, int source) {}

    private final List<EntryIterator> sources;
    private final Comparator<Bytes> keyOrder;
    private final PriorityQueue<Head> heap;
    /** The key each source returned last, to catch a source that is not sorted. */
    private final Bytes[] lastKeys;

    private Entry next;
    private boolean started;
    private boolean closed;

    /**
     * Merges {@code newestFirst}; the iterator takes ownership of the sources and closes them.
     *
     * @param newestFirst the sources, newest (highest priority) first; each sorted strictly
     *                    ascending, or strictly descending when {@code descending}
     * @param descending  whether the sources, and so the output, run in decreasing key order
     * @throws NullPointerException if the list or one of its sources is null
     */
    public MergingIterator(List<EntryIterator> newestFirst, boolean descending) {
        checkNotNull(newestFirst, "sources must not be null");
        List<EntryIterator> copy = new ArrayList<>(newestFirst.size());
        for (int i = 0; i < newestFirst.size(); i++) {
            copy.add(checkNotNull(newestFirst.get(i), "source %s must not be null", i));
        }
        this.sources = copy;
        this.keyOrder = descending ? Comparator.<Bytes>reverseOrder() : Comparator.<Bytes>naturalOrder();
        // Smallest key first (largest when descending); on equal keys, the newest source first.
        this.heap = new PriorityQueue<>(
                Math.max(1, copy.size()),
                Comparator.comparing((Head h) -> h.entry().key(), keyOrder).thenComparingInt(Head::source));
        this.lastKeys = new Bytes[copy.size()];
    }

    /**
     * Pushes the next entry of source {@code i} onto the heap, if it has one. O(log k).
     *
     * @throws IllegalStateException if the source breaks its order, which would silently corrupt
     *                               the merge
     */
    private void refill(int i) {
        EntryIterator source = sources.get(i);
        if (!source.hasNext()) {
            return;
        }
        Entry e = source.next();
        Bytes previous = lastKeys[i];
        if (previous != null && keyOrder.compare(previous, e.key()) >= 0) {
            throw new IllegalStateException("source " + i + " is not sorted: " + e.key() + " came after " + previous);
        }
        lastKeys[i] = e.key();
        heap.add(new Head(e, i));
    }

    /**
     * The next entry of the merge, or null when every source is exhausted. The heap holds at most
     * one head per source; {@link #refill(int)} replaces the head a source has given up.
     *
     * <p>Take the top of the heap: it has the smallest key (largest when descending) and, among
     * equal keys, the lowest source index, because that is how the heap is ordered. Every other
     * head with the same key is an older version of the same key: drop it, refilling its source,
     * so the key appears once. Refill the winner's source too. Each step is a few heap operations:
     * O(log k) per entry consumed from the sources.
     */
    private Entry advance() {
        // BEGIN SOLUTION lab-02 T3
        Head top = heap.poll();
        if (top == null) {
            return null;
        }
        refill(top.source());
        while (!heap.isEmpty() && heap.peek().entry().key().equals(top.entry().key())) {
            refill(heap.poll().source());
        }
        return top.entry();
        // END SOLUTION
    }

    @Override
    public boolean hasNext() {
        if (closed) {
            return false;
        }
        if (!started) {
            started = true;
            for (int i = 0; i < sources.size(); i++) {
                refill(i);
            }
        }
        if (next == null) {
            next = advance();
        }
        return next != null;
    }

    @Override
    public Entry next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the merge is exhausted");
        }
        Entry e = next;
        next = null;
        return e;
    }

    /** Closes every source, even if some fail (the first failure is thrown). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        heap.clear();
        next = null;
        RuntimeException failure = null;
        for (EntryIterator source : sources) {
            try {
                source.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
