package dev.storagelab.hybrid;

import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventListener;
import dev.storagelab.events.EventType;
import com.google.common.base.Ticker;
import com.google.common.util.concurrent.Striped;
import dev.storagelab.bounds.MergingIterator;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.PageFormat;
import dev.storagelab.hybrid.cache.WriteBackCache;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction;
import dev.storagelab.hybrid.track.AccessTracker;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.kvstore.Engine;
import dev.storagelab.lsm.LsmStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Predicate;

/**
 * The two engines behind one routing table, with the write-back cache in front: the
 * {@link Engine} that lab-06's {@code WriteAheadStore} logs for. The log makes every write durable
 * before it arrives here; this class only has to make its own state durable <em>at a
 * checkpoint</em>, in an order that leaves every key readable exactly once, with its newest value,
 * whatever step a crash interrupts.
 *
 * <p><b>Reads</b> go fastest first: the cache, then the engine the routing table names. <b>Writes</b>
 * go to the cache, dirty; the cache flushes them in sorted batches ({@link #applyBatch}), each key
 * to the engine it is routed to. <b>Scans</b> merge the cache's dirty entries, the B+tree and the
 * LSM tree newest-wins with lab-02's {@link MergingIterator}, each engine's entries filtered to the
 * keys routed to it.
 *
 * <p><b>A move</b> ({@link #migrate}) copies the key's value to the other engine, switches the
 * routing entry, and <em>defers</em> the delete from the old engine until the routing table that
 * names the new engine is durable ({@link #checkpoint}). Until then the old copy is stale but
 * harmless: nothing reads a copy from an engine the key is not routed to.
 *
 * <p><b>Locks</b>, always taken in this order: a key's stripe (reads share it; writes and moves of
 * the key hold it alone), the cache's monitor, then {@code applyLock} (engine writes, moves and
 * checkpoints, one at a time). Open scans hold the route lock shared; a move needs it alone and,
 * as background work, waits for a later round rather than block.
 */
public final class TieredEngine implements Engine {

    /** The stripes of per-key locks. */
    private static final int STRIPES = 256;

    private final Storage storage;
    private final BPlusTree tree;
    private final LsmStore lsm;
    private final RoutingTable routes;
    private final WriteBackCache cache;
    private final AccessTracker tracker;
    private final AdaptiveCompaction adaptive;
    private final Ticker ticker;
    private final Striped<ReadWriteLock> stripes = Striped.readWriteLock(STRIPES);
    private final ReentrantLock applyLock = new ReentrantLock();
    private final StampedLock routeLock = new StampedLock();
    /** Stale copies to delete once the routing table naming the other engine is durable: key -> the engine holding the stale copy. */
    private final Map<Bytes, Placement> pendingDeletes = new ConcurrentHashMap<>();
    /** A scan observer (the tracker): sees where each scan started and how many entries it returned. */
    private final LongAdder migrations = new LongAdder();
    /** Hears migrations ({@link #setEventListener}). */
    private volatile EventListener events = EventListener.NONE;
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();
    private final LongAdder userBytesWritten = new LongAdder();
    private volatile boolean closed;

    /**
     * @param storage the directory the routing table is written to (the engines' own)
     * @param cache    the write-back cache, or null for none (writes then go straight to the engines)
     * @param adaptive the LSM tree's adaptive compaction policy, fed with the reads and writes of the
     *                 keys routed COLD, or null
     */
    TieredEngine(Storage storage, BPlusTree tree, LsmStore lsm, RoutingTable routes, WriteBackCache cache,
                 AccessTracker tracker, AdaptiveCompaction adaptive, Ticker ticker) {
        this.adaptive = adaptive;
        this.storage = Objects.requireNonNull(storage, "storage");
        this.tree = Objects.requireNonNull(tree, "tree");
        this.lsm = Objects.requireNonNull(lsm, "lsm");
        this.routes = Objects.requireNonNull(routes, "routes");
        this.cache = cache;
        this.tracker = Objects.requireNonNull(tracker, "tracker");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /** The sink the write-back cache flushes to. */
    static WriteBackCache.Sink sinkOf(TieredEngine[] engine) {
        return batch -> engine[0].applyBatch(batch);
    }

    @Override
    public long checkpointId() {
        return tree.checkpointGeneration(); // the LSM tree cannot come back at an older flush: its open refuses
    }

    @Override
    public String kind() {
        return "hybrid";
    }

    /** The engine that serves {@code placement}. */
    KeyValueStore engine(Placement placement) {
        return placement == Placement.HOT ? tree : lsm;
    }

    /** Sets who hears this engine's migrations, and its B+tree's and LSM tree's own events; null for none. */
    void setEventListener(EventListener listener) {
        this.events = EventListener.orNone(listener);
        tree.setEventListener(events);
        lsm.setEventListener(events);
    }

    BPlusTree tree() {
        return tree;
    }

    LsmStore lsm() {
        return lsm;
    }

    RoutingTable routes() {
        return routes;
    }

    WriteBackCache cache() {
        return cache;
    }

    AdaptiveCompaction adaptiveCompaction() {
        return adaptive;
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Optional<Bytes> get(Bytes key) throws IOException {
        KeyValueStore.checkKey(key);
        tracker.recordRead(key);
        if (cache != null) {
            WriteBackCache.Lookup cached = cache.get(key);
            if (cached != null) {
                cacheHits.increment();
                return cached.value();
            }
        }
        cacheMisses.increment();
        Lock lock = stripes.get(key).readLock();
        lock.lock();
        try {
            Placement placement = routes.placement(key);
            if (adaptive != null && placement == Placement.COLD) {
                adaptive.recordRead(key);
            }
            Optional<Bytes> value = engine(placement).get(key);
            if (cache != null) {
                cache.fill(key, value);
            }
            return value;
        } finally {
            lock.unlock();
        }
    }

    /** Where a read of {@code key} would be served from, without recording an access. */
    Tier where(Bytes key) throws IOException {
        Lock lock = stripes.get(key).readLock();
        lock.lock();
        try {
            WriteBackCache.Lookup cached = cache == null ? null : cache.peek(key);
            if (cached != null) {
                return cached.value().isPresent() ? Tier.CACHE : Tier.NONE;
            }
            Placement p = routes.placement(key);
            if (engine(p).get(key).isEmpty()) {
                return Tier.NONE;
            }
            return p == Placement.HOT ? Tier.HOT : Tier.COLD;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- writes

    @Override
    public void put(Bytes key, Bytes value) throws IOException {
        write(List.of(Entry.put(key, value)));
    }

    @Override
    public void delete(Bytes key) throws IOException {
        write(List.of(Entry.tombstone(key)));
    }

    /**
     * Applies a logged batch: into the cache, dirty (the cache flushes in sorted batches through
     * {@link #applyBatch}), or, without a cache, straight to the engines, sorted.
     */
    @Override
    public void write(List<Entry> ops) throws IOException {
        List<Bytes> keys = new ArrayList<>(ops.size());
        for (Entry e : ops) {
            keys.add(e.key());
        }
        List<ReadWriteLock> locks = new ArrayList<>();
        for (ReadWriteLock l : stripes.bulkGet(keys)) {
            locks.add(l);
        }
        int locked = 0;
        try {
            for (ReadWriteLock l : locks) {
                l.writeLock().lock();
                locked++;
            }
            for (Entry e : ops) {
                tracker.recordWrite(e.key());
                if (adaptive != null && routes.placement(e.key()) == Placement.COLD) {
                    adaptive.recordWrite(e.key()); // in arrival order: the cache's flushes are sorted
                }
                userBytesWritten.add(e.key().length() + (e.isTombstone() ? 0 : e.value().length()));
            }
            if (cache != null) {
                for (Entry e : ops) {
                    cache.write(e);
                }
            } else {
                List<Entry> sorted = new ArrayList<>(ops);
                sorted.sort(Comparator.comparing(Entry::key)); // stable: a key written twice keeps its order
                applyBatch(sorted);
            }
        } finally {
            for (int i = locked - 1; i >= 0; i--) {
                locks.get(i).writeLock().unlock();
            }
        }
    }

    /**
     * Writes a batch sorted by key to the engines, each entry to the engine its key is routed to,
     * in that engine's best form: the B+tree's entries one by one in key order (each descent finds
     * the pages the last one left in the pool), the LSM tree's as one write batch (one memtable
     * insert under one lock). The cache's flushes and dirty evictions arrive here.
     */
    void applyBatch(List<Entry> sortedBatch) throws IOException {
        applyLock.lock();
        try {
            for (Entry e : sortedBatch) {
                if (!e.isTombstone() && routes.placement(e.key()) == Placement.HOT && !fitsHot(e.key(), e.value())) {
                    demoteOversized(e.key());
                }
            }
            // BEGIN SOLUTION lab-07 T6
            List<Entry> hot = new ArrayList<>();
            List<Entry> cold = new ArrayList<>();
            for (Entry e : sortedBatch) {
                (routes.placement(e.key()) == Placement.HOT ? hot : cold).add(e);
            }
            if (!hot.isEmpty()) {
                tree.write(hot);
            }
            if (!cold.isEmpty()) {
                lsm.write(cold);
            }
            // END SOLUTION
        } finally {
            applyLock.unlock();
        }
    }

    // ---------------------------------------------------------------- moves

    /**
     * Whether the B+tree can hold {@code key} with {@code value}: its cells are at most a quarter
     * page and it has no overflow pages (lab-04). A key that cannot is never routed HOT.
     */
    boolean fitsHot(Bytes key, Bytes value) {
        return fitsHot(key, value.length());
    }

    /** {@link #fitsHot(Bytes, Bytes)} for a value of {@code valueBytes}. */
    boolean fitsHot(Bytes key, int valueBytes) {
        int pageSize = tree.options().pageSize();
        return key.length() <= PageFormat.maxKeyBytes(pageSize)
                && PageFormat.leafCellSize(key.length(), valueBytes) <= PageFormat.maxCellSize(pageSize);
    }

    /**
     * A key routed HOT is being written with a value the B+tree cannot hold: it is routed COLD at
     * once (the write then goes to the LSM tree) and its B+tree copy becomes a pending delete, as
     * after a move. Recovery replays the write through here too, so it never fails on the B+tree.
     * The caller holds {@code applyLock}.
     */
    private void demoteOversized(Bytes key) {
        routes.route(key, Placement.COLD, ticker.read());
        pendingDeletes.put(key, Placement.HOT);
        migrations.increment();
    }

    /**
     * Moves {@code key} to {@code target} if it is not there already: copies its value from the
     * engine it is routed to now into {@code target}, routes it to {@code target} (noting the time,
     * for the minimum residency), and records the old engine's copy as a pending delete, which
     * {@link #checkpoint} carries out once the routing table naming {@code target} is durable. A
     * pending delete of the key from {@code target} itself (a key moved away and back before a
     * checkpoint) is cancelled: that copy is the live one now. A key that holds no value (absent or
     * deleted) moves as a delete: {@code target} gets a tombstone, since it may hold a stale copy of
     * the key that the new route would otherwise bring back. The caller holds the route lock alone.
     *
     * @return whether the key moved
     */
    boolean migrate(Bytes key, Placement target) throws IOException {
        if (EventListener.EMIT && events.isEnabled()) events.onEvent(EngineEvent.of(EventType.MIGRATION_BEGIN, "key", EngineEvent.keyText(key), "from", routes.placement(key).name(), "to", target.name()));
        boolean moved = copyAndSwitch(key, target);
        if (EventListener.EMIT && events.isEnabled()) events.onEvent(EngineEvent.of(EventType.MIGRATION_SWITCH, "key", EngineEvent.keyText(key), "to", target.name(), "moved", moved));
        return moved;
    }

    /** {@link #migrate}'s work, which {@link #migrate} reports to the listener before and after. */
    private boolean copyAndSwitch(Bytes key, Placement target) throws IOException {
        Lock lock = stripes.get(key).writeLock();
        lock.lock();
        try {
            applyLock.lock();
            try {
                if (target == Placement.HOT && routes.placement(key) == Placement.COLD) {
                    Optional<Bytes> value = lsm.get(key);
                    if (value.isPresent() && !fitsHot(key, value.get())) {
                        return false; // the B+tree cannot hold it (see fitsHot)
                    }
                }
                // BEGIN SOLUTION lab-07 T6
                Placement source = routes.placement(key);
                if (source == target) {
                    return false;
                }
                Optional<Bytes> value = engine(source).get(key);
                if (value.isPresent()) {
                    engine(target).put(key, value.get());
                    pendingDeletes.put(key, source);
                } else {
                    engine(target).delete(key); // a stale copy there must not come back
                    pendingDeletes.remove(key);
                }
                routes.route(key, target, ticker.read());
                migrations.increment();
                return true;
                // END SOLUTION
            } finally {
                applyLock.unlock();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes the route lock alone if no scan holds it: a stamp for {@link #endMoves}, or 0 if a scan is open. */
    long tryBeginMoves() {
        return routeLock.tryWriteLock();
    }

    /** Takes the route lock alone, waiting for open scans to close: a stamp for {@link #endMoves}. */
    long beginMoves() {
        return routeLock.writeLock();
    }

    void endMoves(long stamp) {
        routeLock.unlockWrite(stamp);
    }

    /**
     * Finds the stale copies a crash left (a move whose routing switch did not become durable, or
     * whose deferred delete did not) and records them as pending deletes: keys in the B+tree not
     * routed HOT, and keys routed HOT that the LSM tree also holds. Called once, at open, before
     * the log is replayed: it only reads, so a damaged page it meets refuses the open with nothing
     * written (the scan's UncheckedIOException is unwrapped to the CorruptionException it carries).
     */
    void findStaleCopies() throws IOException {
        try (EntryIterator it = tree.scan(null, null)) {
            while (it.hasNext()) {
                Bytes key = it.next().key();
                if (routes.placement(key) != Placement.HOT) {
                    pendingDeletes.put(key, Placement.HOT);
                }
            }
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        for (Bytes key : routes.hotKeys()) {
            if (lsm.get(key).isPresent()) {
                pendingDeletes.put(key, Placement.COLD);
            }
        }
    }

    /** Keys with a stale copy in the engine they are not routed to, waiting for a checkpoint. */
    int pendingDeletes() {
        return pendingDeletes.size();
    }

    // ---------------------------------------------------------------- checkpoints

    /**
     * Makes this engine durable so that a crash at any step leaves every key readable exactly once
     * with its newest value (the log above replays what follows the checkpoint it completes):
     * <ol>
     *   <li>flush the cache's dirty entries into the engines;</li>
     *   <li>checkpoint the B+tree and flush the LSM tree, so each holds every key routed to it and
     *       still every stale copy a pending delete names;</li>
     *   <li>write the routing table (atomically): from now on a recovery routes as this table says,
     *       and finds each key in the engine it names;</li>
     *   <li>only then carry out the pending deletes (each only if the key is still routed away from
     *       that engine); they become durable at the engines' next checkpoint, and a crash before that
     *       leaves stale copies that {@link #findStaleCopies} finds again.</li>
     * </ol>
     * Moves and engine writes wait meanwhile (they need {@code applyLock}).
     */
    @Override
    public void checkpoint() throws IOException {
        if (cache != null) {
            cache.flush();
        }
        applyLock.lock();
        try {
            if (EventListener.EMIT && events.isEnabled() && !pendingDeletes.isEmpty()) events.onEvent(EngineEvent.of(EventType.MIGRATION_DELETE_OLD, "keys", pendingDeletes.size())); // this checkpoint deletes them
            // BEGIN SOLUTION lab-07 T6
            tree.checkpoint();
            lsm.flush();
            routes.write(storage);
            for (Map.Entry<Bytes, Placement> pending : List.copyOf(pendingDeletes.entrySet())) {
                Bytes key = pending.getKey();
                Placement stale = pending.getValue();
                if (routes.placement(key) != stale) {
                    engine(stale).delete(key);
                }
                pendingDeletes.remove(key, stale);
            }
            // END SOLUTION
        } finally {
            applyLock.unlock();
        }
    }

    @Override
    public void sync() throws IOException {
        checkpoint();
    }

    // ---------------------------------------------------------------- scans

    @Override
    public EntryIterator scan(Bytes from, Bytes to) {
        return scan(from, to, false);
    }

    @Override
    public EntryIterator scanReverse(Bytes from, Bytes to) {
        return scan(from, to, true);
    }

    /** The smallest key greater than {@code key}: the key with a zero byte appended. */
    static Bytes successor(Bytes key) {
        byte[] b = new byte[key.length() + 1];
        key.copyTo(b, 0);
        return Bytes.wrap(b);
    }

    /** Dirty entries a scan copies from the cache at a time. */
    static final int DIRTY_CHUNK = 64;

    /**
     * The live entries in {@code [from, to)}, merged newest-wins from {@link #sources}, tombstones
     * dropped. Holds the route lock shared until closed, so no move switches a route under it (a key
     * filtered out of one engine is then never filtered out of the other too).
     *
     * <p>The cache's dirty entries are read {@value #DIRTY_CHUNK} at a time rather than copied whole
     * (an unbounded scan would copy every dirty entry past its start to return a few). If dirty
     * entries left the cache between two chunks (a flush: they went to the engines, maybe after the
     * engines' iterators were opened), the scan starts again just after the last key it returned,
     * with new iterators: keyset pagination, so a stable key is neither repeated nor skipped.
     */
    EntryIterator scan(Bytes from, Bytes to, boolean descending) {
        if (from != null && to != null && from.compareTo(to) > 0) {
            throw new IllegalArgumentException("scan range is inverted: from " + from + " > to " + to);
        }
        long stamp = routeLock.readLock();
        try {
            return new TieredScan(from, to, descending, stamp);
        } catch (RuntimeException e) {
            routeLock.unlockRead(stamp);
            throw e;
        }
    }

    /** Thrown by a scan's dirty source when it must start again (see {@link #scan}); never leaves the scan. */
    private static final class Restart extends RuntimeException {
        Restart() {
            super(null, null, false, false);
        }
    }

    /** A scan over the three sources that restarts after its last key when the cache flushed under it. */
    private final class TieredScan implements EntryIterator {
        private final Bytes from;
        private final Bytes to;
        private final boolean descending;
        private final long stamp;
        private Bytes last;
        private EntryIterator merged;
        private Entry next;
        private boolean closed;

        TieredScan(Bytes from, Bytes to, boolean descending, long stamp) {
            this.from = from;
            this.to = to;
            this.descending = descending;
            this.stamp = stamp;
            open();
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
            WriteBackCache.DirtyChunk read = descending ? cache.dirtyChunk(lo, lastKey, true, DIRTY_CHUNK)
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
        public void close() {
        }
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
            sources.add(filtered(descending ? tree.scanReverse(from, to) : tree.scan(from, to),
                    key -> routes.placement(key) == Placement.HOT));
            sources.add(filtered(descending ? lsm.scanReverse(from, to) : lsm.scan(from, to),
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

    // ---------------------------------------------------------------- stats and close

    long migrations() {
        return migrations.sum();
    }

    long cacheHits() {
        return cacheHits.sum();
    }

    long cacheMisses() {
        return cacheMisses.sum();
    }

    long userBytesWritten() {
        return userBytesWritten.sum();
    }

    /** Closes both engines without a checkpoint (the log above holds what followed the last one). */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException first = null;
        for (java.io.Closeable c : new java.io.Closeable[] {tree, lsm}) {
            try {
                c.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "TieredEngine{" + routes + ", " + pendingDeletes.size() + " pending deletes}";
    }
}
