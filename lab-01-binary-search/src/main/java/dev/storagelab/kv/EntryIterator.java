package dev.storagelab.kv;

import java.util.Iterator;

/**
 * The iterator shape every sorted source in the workspace shares: memtables, segments, merges,
 * B+tree leaves. Entries come in strictly increasing key order (or strictly decreasing, for a
 * reverse iterator), tombstones included; callers that want only live data skip them.
 *
 * <p>An iterator may hold files or a snapshot of the engine open, so it must be closed; use it in
 * try-with-resources. I/O errors surface as {@link java.io.UncheckedIOException} from
 * {@link #hasNext()} or {@link #next()}.
 */
public interface EntryIterator extends Iterator<Entry>, AutoCloseable {

    /** Releases what the iterator holds. Idempotent. */
    @Override
    void close();

    /** An iterator over a plain Java iterator that holds nothing. */
    static EntryIterator of(Iterator<Entry> entries) {
        return new EntryIterator() {
            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public Entry next() {
                return entries.next();
            }

            @Override
            public void close() {}
        };
    }

    /**
     * The entries of {@code source} that {@code keep} accepts, in its order; closing it closes
     * {@code source}. What a store uses to drop tombstones from a merge (lab-06) or the stale copies
     * of an engine a key is not routed to (lab-07).
     */
    static EntryIterator filter(EntryIterator source, java.util.function.Predicate<? super Entry> keep) {
        return new EntryIterator() {
            private Entry next;

            @Override
            public boolean hasNext() {
                while (next == null && source.hasNext()) {
                    Entry e = source.next();
                    if (keep.test(e)) {
                        next = e;
                    }
                }
                return next != null;
            }

            @Override
            public Entry next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                Entry e = next;
                next = null;
                return e;
            }

            @Override
            public void close() {
                next = null;
                source.close();
            }
        };
    }
}
