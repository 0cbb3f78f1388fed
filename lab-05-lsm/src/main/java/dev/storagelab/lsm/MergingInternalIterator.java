package dev.storagelab.lsm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A k-way merge of {@link InternalIterator}s into one, in {@link InternalKey#ORDER}: the iterator
 * under every scan and every compaction of the LSM tree. Unlike lab-02's newest-wins
 * {@code MergingIterator} it drops nothing: internal keys are unique (no two writes share a
 * sequence number), so every version of every key comes out once, newest first, and the caller
 * decides which versions a snapshot sees ({@link SnapshotIterator}) or a compaction keeps.
 *
 * <p>A min-heap holds the sources that are on an entry, so each step costs O(log k) comparisons.
 * Closing the merge closes its sources. Not thread-safe.
 */
public final class MergingInternalIterator implements InternalIterator {

    /** A source on an entry, with that entry's key read once (a table's cursor copies it on every call). */
    private static final class Head {
        final InternalIterator source;
        byte[] key;

        Head(InternalIterator source) {
            this.source = source;
            this.key = source.key();
        }
    }

    private final List<InternalIterator> sources;
    private final PriorityQueue<Head> heap;
    private Head current;

    /** Merges {@code sources}; the merge takes ownership of them. */
    public MergingInternalIterator(List<? extends InternalIterator> sources) {
        this.sources = new ArrayList<>(sources);
        this.heap = new PriorityQueue<>(Math.max(1, sources.size()), (a, b) -> InternalKey.ORDER.compare(a.key, b.key));
    }

    @Override
    public boolean valid() {
        return current != null;
    }

    @Override
    public void seekToFirst() throws IOException {
        heap.clear();
        for (InternalIterator s : sources) {
            s.seekToFirst();
            if (s.valid()) {
                heap.add(new Head(s));
            }
        }
        current = heap.peek();
    }

    @Override
    public void seek(byte[] target) throws IOException {
        heap.clear();
        for (InternalIterator s : sources) {
            s.seek(target);
            if (s.valid()) {
                heap.add(new Head(s));
            }
        }
        current = heap.peek();
    }

    @Override
    public void next() throws IOException {
        Head top = heap.poll();
        top.source.next();
        if (top.source.valid()) {
            top.key = top.source.key();
            heap.add(top);
        }
        current = heap.peek();
    }

    /** Not supported: reverse scans merge per-source reverse views (see {@link SnapshotIterator#reverse}). */
    @Override
    public void seekToLast() {
        throw new UnsupportedOperationException("a merge runs forward only");
    }

    /** Not supported, as {@link #seekToLast}. */
    @Override
    public void prev() {
        throw new UnsupportedOperationException("a merge runs forward only");
    }

    @Override
    public byte[] key() {
        return current.key;
    }

    @Override
    public byte[] value() {
        return current.source.value();
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (InternalIterator s : sources) {
            try {
                s.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        heap.clear();
        current = null;
        if (failure != null) {
            throw failure;
        }
    }
}
