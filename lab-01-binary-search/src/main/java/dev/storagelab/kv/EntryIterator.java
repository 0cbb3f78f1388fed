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
            public void close() {
            }
        };
    }
}
