package dev.storagelab.hybrid.cache;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** PLACEHOLDER: the cache helper replaces this file (T4), keeping these signatures. */
public final class WriteBackCache {

    /** Where dirty entries go: one call per batch, its entries sorted by key, tombstones for deletes. */
    @FunctionalInterface
    public interface Sink {
        void write(List<Entry> sortedBatch) throws IOException;
    }

    /** A cached answer: the value, or empty if the key is cached as absent (deleted). */
    public record Lookup(Optional<Bytes> value) {
    }

    /** A cache whose residency {@code policy} decides, flushing to {@code sink} when more than {@code maxDirty} entries are dirty. */
    public WriteBackCache(ReplacementPolicy<Bytes> policy, int maxDirty, Sink sink) {
    }

    /** The cached answer for {@code key}, or null on a miss. */
    public Lookup get(Bytes key) throws IOException {
        throw new UnsupportedOperationException("being built");
    }

    /** Caches a clean answer read from the engines after a miss. */
    public void fill(Bytes key, Optional<Bytes> value) throws IOException {
        throw new UnsupportedOperationException("being built");
    }

    /** Writes {@code entry} (a tombstone deletes) into the cache, dirty. */
    public void write(Entry entry) throws IOException {
        throw new UnsupportedOperationException("being built");
    }

    /** Writes every dirty entry to the sink in one sorted batch; they stay cached, clean. */
    public void flush() throws IOException {
        throw new UnsupportedOperationException("being built");
    }

    /** The dirty entries with {@code from <= key < to} (null: unbounded), sorted, tombstones included: what a scan merges first. */
    public List<Entry> dirtyRange(Bytes from, Bytes to) {
        throw new UnsupportedOperationException("being built");
    }

    /** Drops {@code key}'s entry if it is clean (a dirty one stays). */
    public void invalidate(Bytes key) {
        throw new UnsupportedOperationException("being built");
    }
}
