package dev.storagelab.hybrid;

import dev.storagelab.bounds.MergingIterator;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.hybrid.cache.WriteBackCache;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lsm.LsmStore;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Predicate;

/**
 * A scan of a {@link TieredEngine} (lab-07 T6: you write {@link #sources}): the cache's dirty
 * entries, the B+tree's and the LSM tree's, merged newest-wins with lab-02's
 * {@link MergingIterator}, each engine's entries filtered to the keys routed to it, tombstones
 * dropped. It holds the engine's route lock shared from {@link #scan} until it is closed, so no
 * move switches a route under it (a key filtered out of one engine is then never filtered out of
 * the other too).
 *
 * <p>The cache's dirty entries are read {@value #DIRTY_CHUNK} at a time rather than copied whole
 * (an unbounded scan would copy every dirty entry past its start to return a few). If dirty
 * entries left the cache between two chunks (a flush: they went to the engines, maybe after the
 * engines' iterators were opened), the scan starts again just after the last key it returned,
 * with new iterators: keyset pagination, so a stable key is neither repeated nor skipped.
 */
final class TieredScan implements EntryIterator {

    /** Dirty entries a scan copies from the cache at a time. */
    static final int DIRTY_CHUNK = 64;

    private final BPlusTree tree;
    private final LsmStore lsm;
    private final RoutingTable routes;
    /** The write-back cache, or null for none. */
    private final WriteBackCache cache;
    /** The engine's route lock, held shared (by {@link #stamp}) until {@link #close}. */
    private final StampedLock routeLock;

    private final Bytes from;
    private final Bytes to;
    private final boolean descending;
    private final long stamp;
    private Bytes last;
    private EntryIterator merged;
    private Entry next;
    private boolean closed;

    /**
     * The live entries of {@code engine} in {@code [from, to)}, merged newest-wins from
     * {@link #sources}, tombstones dropped. Holds {@code routeLock} shared until closed.
     */
    static EntryIterator scan(TieredEngine engine, StampedLock routeLock, Bytes from, Bytes to, boolean descending) {
        if (from != null && to != null && from.compareTo(to) > 0) {
            throw new IllegalArgumentException("scan range is inverted: from " + from + " > to " + to);
        }
        long stamp = routeLock.readLock();
        try {
            return new TieredScan(engine, routeLock, from, to, descending, stamp);
        } catch (RuntimeException e) {
            routeLock.unlockRead(stamp);
            throw e;
        }
    }

    private TieredScan(
            TieredEngine engine, StampedLock routeLock, Bytes from, Bytes to, boolean descending, long stamp) {
        this.tree = engine.tree();
        this.lsm = engine.lsm();
        this.routes = engine.routes();
        this.cache = engine.cache();
        this.routeLock = routeLock;
        this.from = from;
        this.to = to;
        this.descending = descending;
        this.stamp = stamp;
        open();
    }

    /** The smallest key greater than {@code key}: the key with a zero byte appended. */
    static Bytes successor(Bytes key) {
        byte[] b = new byte[key.length() + 1];
        key.copyTo(b, 0);
        return Bytes.wrap(b);
    }

    /** Opens the merge over {@code [from, to)} minus what was already returned. */
    private void open() {
        Bytes lo = from;
        Bytes hi = to;
        if (last != null) {
            if (descending) {
                hi = last;
            } else {
                lo = successor(last);
            }
        }
        merged = new MergingIterator(sources(new DirtySource(lo, hi, descending), lo, hi, descending), descending);
    }

    @Override
    public boolean hasNext() {
        while (next == null && !closed) {
            Entry e;
            try {
                if (!merged.hasNext()) {
                    return false;
                }
                e = merged.next();
            } catch (Restart r) {
                merged.close();
                open();
                continue;
            }
            last = e.key();
            if (!e.isTombstone()) {
                next = e;
            }
        }
        return next != null;
    }

    @Override
    public Entry next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Entry e = next;
        next = null;
        return e;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                merged.close();
            } finally {
                routeLock.unlockRead(stamp);
            }
        }
    }

    /** Thrown by a scan's dirty source when it must start again (see {@link TieredScan}); never leaves the scan. */
    private static final class Restart extends RuntimeException {
        Restart() {
            super(null, null, false, false);
        }
    }

    /**
     * The cache's dirty entries of {@code [lo, hi)} in the scan's order, {@value #DIRTY_CHUNK} at a
     * time; throws {@link Restart} when it needs another chunk and entries left the dirty set since
     * it was opened.
     */
    private final class DirtySource implements EntryIterator {
        private final Bytes lo;
        private final Bytes hi;
        private final boolean descending;
        private final long epoch;
        private java.util.Iterator<Entry> chunk;
        private boolean lastChunk;
        private Bytes lastKey;

        /**
         * Reads the first chunk at once, before the engines' iterators open: entries flushed after
         * this read and before they open are in the engines' view; entries flushed after they open
         * are either in this chunk already or make the next read restart the scan.
         */
        DirtySource(Bytes lo, Bytes hi, boolean descending) {
            this.lo = lo;
            this.hi = hi;
            this.descending = descending;
            if (cache == null) {
                this.epoch = 0;
                this.chunk = java.util.Collections.emptyIterator();
                this.lastChunk = true;
            } else {
                WriteBackCache.DirtyChunk first = cache.dirtyChunk(lo, hi, descending, DIRTY_CHUNK);
                this.epoch = first.sinkWrites();
                take(first.entries());
            }
        }

        private void take(List<Entry> entries) {
            lastChunk = entries.size() < DIRTY_CHUNK;
            if (!entries.isEmpty()) {
                lastKey = entries.get(entries.size() - 1).key();
            }
            chunk = entries.iterator();
        }

        @Override
        public boolean hasNext() {
            if (chunk.hasNext()) {
                return true;
            }
            if (lastChunk) {
                return false;
            }
            WriteBackCache.DirtyChunk read = descending
                    ? cache.dirtyChunk(lo, lastKey, true, DIRTY_CHUNK)
                    : cache.dirtyChunk(successor(lastKey), hi, false, DIRTY_CHUNK);
            if (read.sinkWrites() != epoch) {
                throw new Restart(); // dirty entries went to the engines, maybe behind their iterators
            }
            take(read.entries());
            return chunk.hasNext();
        }

        @Override
        public Entry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return chunk.next();
        }

        @Override
        public void close() {}
    }

    /**
     * The scan's three sources for lab-02's {@link MergingIterator}, newest first: {@code dirty} (the
     * cache's dirty entries of the range in the scan's order, tombstones included: they hide older
     * values), the B+tree's entries of {@code [from, to)} whose keys are routed HOT, the LSM tree's
     * whose keys are routed COLD ({@link #filtered}), each engine scanned in the scan's direction.
     * The caller holds the route lock shared. If opening one fails, the ones already open are closed.
     */
    List<EntryIterator> sources(EntryIterator dirty, Bytes from, Bytes to, boolean descending) {
        List<EntryIterator> sources = new ArrayList<>(3);
        try {
            // BEGIN SOLUTION lab-07 T6
            sources.add(dirty);
            sources.add(filtered(
                    descending ? tree.scanReverse(from, to) : tree.scan(from, to),
                    key -> routes.placement(key) == Placement.HOT));
            sources.add(filtered(
                    descending ? lsm.scanReverse(from, to) : lsm.scan(from, to),
                    key -> routes.placement(key) == Placement.COLD));
            return sources;
            // END SOLUTION
        } catch (RuntimeException e) {
            sources.forEach(EntryIterator::close);
            throw e;
        }
    }

    /** The entries of {@code source} whose keys pass {@code keep}. */
    static EntryIterator filtered(EntryIterator source, Predicate<Bytes> keep) {
        return EntryIterator.filter(source, e -> keep.test(e.key()));
    }
}
