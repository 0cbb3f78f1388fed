package dev.storagelab.hybrid;

import com.google.common.base.Ticker;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BufferPool;
import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventListener;
import dev.storagelab.events.EventType;
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
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;

/**
 * The two engines behind one routing table, with the write-back cache in front: the
 * {@link Engine} that lab-06's {@code WriteAheadStore} logs for. The log makes every write durable
 * before it arrives here; this class only has to make its own state durable <em>at a
 * checkpoint</em>, in an order that leaves every key readable exactly once, with its newest value,
 * whatever step a crash interrupts.
 *
 * <p><b>Reads</b> go fastest first: the cache, then the engine the routing table names, or, while
 * the B+tree's pool serves it from memory, the B+tree before the routing table
 * ({@link #chooseReadOrder}). <b>Writes</b>
 * go to the cache, dirty; the cache flushes them in sorted batches ({@link #applyBatch}), each key
 * to the engine it is routed to. <b>Scans</b> ({@link TieredScan}) merge the cache's dirty
 * entries, the B+tree and the LSM tree newest-wins with lab-02's {@code MergingIterator}, each
 * engine's entries filtered to the keys routed to it.
 *
 * <p><b>A move</b> ({@link #migrate}, by the {@link Migrator}) copies the key's value to the other
 * engine, switches the routing entry, and <em>defers</em> the delete from the old engine until the
 * routing table that names the new engine is durable ({@link #checkpoint}). Until then the old copy
 * is stale but harmless: nothing reads a copy from an engine the key is not routed to.
 *
 * <p><b>Locks</b>, always taken in this order: a key's stripe (reads share it; writes and moves of
 * the key hold it alone), the cache's monitor, then {@code applyLock} (engine writes, moves and
 * checkpoints, one at a time). Open scans hold the route lock shared; a move needs it alone and,
 * as background work, waits for a later round rather than block.
 *
 * <p>Where lab-07 T6's code is: {@link #applyBatch} and {@link #checkpoint} here,
 * {@link Migrator#migrate} (the move) and {@link TieredScan#sources} (the scan's sources). This
 * class owns the locks, the routing table and the pending deletes, and lends them to the two.
 */
public final class TieredEngine implements Engine {

    /** The stripes of per-key locks ({@link KeyLocks}). */
    private static final int STRIPES = 256;

    private final Storage storage;
    private final BPlusTree tree;
    private final LsmStore lsm;
    private final RoutingTable routes;
    private final WriteBackCache cache;
    private final AccessTracker tracker;
    private final AdaptiveCompaction adaptive;
    private final KeyLocks stripes = new KeyLocks(STRIPES);
    private final ReentrantLock applyLock = new ReentrantLock();
    private final StampedLock routeLock = new StampedLock();
    /** The clock of the routes' move times. */
    private final Ticker ticker;
    /** Stale copies to delete once the routing table naming the other engine is durable: key -> the engine holding the stale copy. */
    private final Map<Bytes, Placement> pendingDeletes = new ConcurrentHashMap<>();
    /** Moves keys between the engines, with this engine's locks and {@link #pendingDeletes}. */
    private final Migrator migrator;
    /** Hears checkpoints' deletes of stale copies ({@link #setEventListener}). */
    private volatile EventListener events = dev.storagelab.events.TestRecording.listener();

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
    TieredEngine(
            Storage storage,
            BPlusTree tree,
            LsmStore lsm,
            RoutingTable routes,
            WriteBackCache cache,
            AccessTracker tracker,
            AdaptiveCompaction adaptive,
            Ticker ticker) {
        this.adaptive = adaptive;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.storage = Objects.requireNonNull(storage, "storage");
        this.tree = Objects.requireNonNull(tree, "tree");
        this.lsm = Objects.requireNonNull(lsm, "lsm");
        this.routes = Objects.requireNonNull(routes, "routes");
        this.cache = cache;
        this.tracker = Objects.requireNonNull(tracker, "tracker");
        this.migrator = new Migrator(tree, lsm, routes, this.ticker, stripes, applyLock, routeLock, pendingDeletes);
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
        migrator.setEventListener(events);
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
        return read(key).value();
    }

    /**
     * A read's answer: the key's value, and the placement the read found it routed to, or null if
     * the record cache answered (the store passes it on to the router's question).
     */
    record Read(Optional<Bytes> value, Placement placement) {}

    /** {@link #get}, with the placement the read found ({@link Read}). */
    Read read(Bytes key) throws IOException {
        KeyValueStore.checkKey(key);
        int weight = readWeight;
        if (weight == 1) {
            tracker.recordRead(key);
        } else if (ThreadLocalRandom.current().nextInt(weight) == 0) {
            tracker.recordRead(key, weight);
        }
        if (cache != null) {
            WriteBackCache.Lookup cached = cache.get(key);
            if (cached != null) {
                cacheHits.increment();
                return new Read(cached.value(), null);
            }
        }
        cacheMisses.increment();
        StampedLock stripe = stripes.of(key);
        if (cache == null) {
            // optimistic: the look-ups are each thread-safe; the answer stands if no write or move
            // of a key of this stripe (each holds the stripe alone) ran meanwhile. With a cache the
            // read fills it, which must not race a write of the key, so it takes the lock.
            long stamp = stripe.tryOptimisticRead();
            if (stamp != 0) {
                try {
                    Read read = lookUp(key);
                    if (stripe.validate(stamp)) {
                        return read;
                    }
                } catch (IOException | RuntimeException e) {
                    if (stripe.validate(stamp)) {
                        throw e;
                    } // else the look-ups saw a write or move halfway: read again under the lock
                }
            }
        }
        long stamp = stripe.readLock();
        try {
            Read read = lookUp(key);
            if (cache != null) {
                cache.fill(key, read.value());
            }
            return read;
        } finally {
            stripe.unlockRead(stamp);
        }
    }

    /** A read's look-ups in the engines, in the order {@link #chooseReadOrder} chose. */
    private Read lookUp(Bytes key) throws IOException {
        return treeFirst ? getTreeFirst(key) : getRouted(key, routes.placement(key));
    }

    /**
     * Reads are counted in the tracker one in this many, each counting as this many reads: 1 (every
     * read) unless the scheduler has thinned the sampling while placement is settled
     * ({@link MigrationScheduler#adjustSampling}).
     */
    private volatile int readWeight = 1;

    /** Counts one read in {@code reads} in the tracker, as {@code reads} reads (1: every read). */
    void countReadsOneIn(int reads) {
        com.google.common.base.Preconditions.checkArgument(reads >= 1, "reads must be at least 1: %s", reads);
        readWeight = reads;
    }

    /**
     * The value of {@code key} from the engine {@code placement} names. The caller holds the key's
     * stripe, or reads optimistically and checks it after.
     */
    private Read getRouted(Bytes key, Placement placement) throws IOException {
        if (placement == Placement.COLD && adaptive != null) {
            adaptive.recordRead(key);
        }
        return new Read(engine(placement).get(key), placement);
    }

    /**
     * The value of {@code key}, asking the B+tree before the routing table: a key the B+tree holds
     * is routed HOT unless its copy there is stale, and a stale copy is a pending delete
     * ({@link Migrator}), so a hit with none pending is the answer without the routing table's
     * look-up. A miss asks the routing table, and the LSM tree only for a key routed COLD (a key
     * routed HOT that the B+tree lacks is absent). The caller holds the key's stripe, so no move or
     * write of the key runs between the look-ups, or reads optimistically and throws the answer away
     * if one did.
     */
    private Read getTreeFirst(Bytes key) throws IOException {
        if (pendingDeletes.get(key) != Placement.HOT) {
            Optional<Bytes> value = tree.get(key);
            if (value.isPresent()) {
                return new Read(value, Placement.HOT);
            }
            Placement placement = routes.placement(key);
            return placement == Placement.HOT ? new Read(value, placement) : getRouted(key, placement);
        }
        return getRouted(key, routes.placement(key));
    }

    /**
     * Whether reads ask the B+tree first ({@link #getTreeFirst}) rather than the routing table:
     * chosen by {@link #chooseReadOrder} from how the B+tree's pool has been serving.
     */
    private volatile boolean treeFirst;

    /** The pool's fetches and misses at the last {@link #chooseReadOrder}. */
    private long fetchesSeen;

    private long missesSeen;

    /**
     * Chooses the order of a read's look-ups until the next call (each maintenance round calls
     * it). The routing table is a hash look-up every read pays; the B+tree answers most reads of a
     * hot set by itself, and a key it lacks costs one more descent. That descent is cheap only
     * while the B+tree's pages are in its pool, so the B+tree goes first while its pool served at
     * least {@link #TREE_FIRST_HIT_PERCENT}% of its fetches since the last call from memory, and
     * the routing table goes first otherwise (a descent could then cost a device read for a key
     * the LSM tree holds). With no fetch since the last call, the order stays.
     */
    void chooseReadOrder() {
        BufferPool.PoolStats pool = tree.poolStats();
        long fetches = pool.fetches() - fetchesSeen;
        long misses = pool.misses() - missesSeen;
        fetchesSeen = pool.fetches();
        missesSeen = pool.misses();
        if (fetches > 0) {
            treeFirst = misses * 100 <= fetches * (100 - TREE_FIRST_HIT_PERCENT);
        }
    }

    /** The share of the B+tree pool's fetches, in percent, served from memory for reads to ask it first. */
    static final int TREE_FIRST_HIT_PERCENT = 99;

    /** Whether reads ask the B+tree before the routing table now ({@link #chooseReadOrder}). */
    boolean readsTreeFirst() {
        return treeFirst;
    }

    /** Sets the read order until the next {@link #chooseReadOrder} (tests read each key both ways). */
    void readTreeFirst(boolean on) {
        treeFirst = on;
    }

    /** Where a read of {@code key} would be served from, without recording an access. */
    Tier where(Bytes key) throws IOException {
        StampedLock stripe = stripes.of(key);
        long stamp = stripe.readLock();
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
            stripe.unlockRead(stamp);
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
        List<Lock> locks = new ArrayList<>();
        for (StampedLock l : stripes.distinct(keys)) { // each once, in the stripes' order
            locks.add(l.asWriteLock());
        }
        int locked = 0;
        try {
            for (Lock l : locks) {
                l.lock();
                locked++;
            }
            for (Entry e : ops) {
                tracker.recordWrite(e.key());
                if (adaptive != null && routes.placement(e.key()) == Placement.COLD) {
                    adaptive.recordWrite(e.key()); // in arrival order: the cache's flushes are sorted
                }
                userBytesWritten.add(
                        e.key().length() + (e.isTombstone() ? 0 : e.value().length()));
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
                locks.get(i).unlock();
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
            if (newKeysHotUpTo > 0) {
                placeNewKeys(sortedBatch);
            }
            for (Entry e : sortedBatch) {
                if (!e.isTombstone()
                        && !migrator.fitsHot(e.key(), e.value()) // arithmetic: the look-up only for an oversized value
                        && routes.placement(e.key()) == Placement.HOT) {
                    migrator.demoteOversized(e.key()); // applyLock held, as it asks
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

    // ---------------------------------------------------------------- moves (the Migrator's)

    /** Whether the B+tree can hold {@code key} with {@code value} ({@link Migrator#fitsHot(Bytes, Bytes)}). */
    boolean fitsHot(Bytes key, Bytes value) {
        return migrator.fitsHot(key, value);
    }

    /** {@link #fitsHot(Bytes, Bytes)} for a value of {@code valueBytes}. */
    boolean fitsHot(Bytes key, int valueBytes) {
        return migrator.fitsHot(key, valueBytes);
    }

    /**
     * Moves {@code key} to {@code target} if it is not there already: copy, switch, deferred
     * delete ({@link Migrator#migrate}). The caller holds the route lock alone.
     *
     * @return whether the key moved
     */
    boolean migrate(Bytes key, Placement target) throws IOException {
        return migrator.migrate(key, target);
    }

    /**
     * From now on, {@link #applyBatch} routes a new key HOT while fewer than {@code maxHotKeys} are
     * ({@link HybridOptions#newKeysHot}). Set before the log is replayed, so that recovery places
     * the keys it replays by the same rule (not always in the same engine: the moves since the
     * checkpoint are not in the log; either is right, since a key's route and value land together).
     */
    void placeNewKeysHot(int maxHotKeys) {
        this.newKeysHotUpTo = maxHotKeys;
    }

    /** {@link #placeNewKeysHot}'s limit, or 0: every key starts COLD. */
    private volatile int newKeysHotUpTo;

    private final LongAdder newKeysPlacedHot = new LongAdder();

    /** Keys a write has routed HOT since open ({@link #placeNewKeysHot}); moves are not counted. */
    long newKeysPlacedHot() {
        return newKeysPlacedHot.sum();
    }

    /**
     * Routes HOT the keys of {@code sortedBatch} that are new, while the B+tree holds fewer than
     * {@link #newKeysHotUpTo} keys: a put of a key routed COLD that the LSM tree does not hold (its
     * Bloom filters answer most of these without a read), that has no pending delete (a key moved
     * away keeps its copy in the LSM tree) and that the B+tree can hold. The batch then writes it
     * to the B+tree, in the same {@code applyLock} hold, and no reader of the key sees the route
     * before the value: each caller of {@link #applyBatch} holds the cache's lock or the key's
     * stripe, which a read of the key waits for. The routes change only if no scan is open (a
     * scan filters each engine's entries by route, as in a move); else the keys stay COLD, and
     * the router may move them later. The caller holds {@code applyLock}.
     */
    private void placeNewKeys(List<Entry> sortedBatch) throws IOException {
        long stamp = 0;
        try {
            for (Entry e : sortedBatch) {
                if (routes.hotCount() >= newKeysHotUpTo) {
                    return;
                }
                if (e.isTombstone()
                        || routes.placement(e.key()) != Placement.COLD
                        || pendingDeletes.containsKey(e.key())
                        || !migrator.fitsHot(e.key(), e.value())
                        || lsm.get(e.key()).isPresent()) {
                    continue;
                }
                if (stamp == 0) {
                    stamp = routeLock.tryWriteLock();
                    if (stamp == 0) {
                        return; // a scan is open
                    }
                }
                routes.route(e.key(), Placement.HOT, ticker.read());
                newKeysPlacedHot.increment();
            }
        } finally {
            if (stamp != 0) {
                routeLock.unlockWrite(stamp);
            }
        }
    }

    /** Takes the route lock alone if no scan holds it: a stamp for {@link #endMoves}, or 0 if a scan is open. */
    long tryBeginMoves() {
        return migrator.tryBeginMoves();
    }

    /** Takes the route lock alone, waiting for open scans to close: a stamp for {@link #endMoves}. */
    long beginMoves() {
        return migrator.beginMoves();
    }

    void endMoves(long stamp) {
        migrator.endMoves(stamp);
    }

    /**
     * Records the stale copies a crash left as pending deletes ({@link Migrator#findStaleCopies});
     * called once, at open, before the log is replayed.
     */
    void findStaleCopies() throws IOException {
        migrator.findStaleCopies();
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
            if (EventListener.EMIT && events.isEnabled() && !pendingDeletes.isEmpty())
                events.onEvent(EngineEvent.of(
                        EventType.MIGRATION_DELETE_OLD, "keys", pendingDeletes.size())); // this checkpoint deletes them
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

    /**
     * The live entries in {@code [from, to)}, merged newest-wins, tombstones dropped: a
     * {@link TieredScan}, which holds the route lock shared until it is closed.
     */
    EntryIterator scan(Bytes from, Bytes to, boolean descending) {
        return TieredScan.scan(this, routeLock, from, to, descending);
    }

    // ---------------------------------------------------------------- stats and close

    long migrations() {
        return migrator.migrations();
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
