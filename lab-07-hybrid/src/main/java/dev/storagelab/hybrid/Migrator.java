package dev.storagelab.hybrid;

import com.google.common.base.Ticker;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.PageFormat;
import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventListener;
import dev.storagelab.events.EventType;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.lsm.LsmStore;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;

/**
 * Moves keys between the two engines of a {@link TieredEngine} (lab-07 T6: you write
 * {@link #migrate}'s steps, in {@code copyAndSwitch}): copy the key's value to the other engine,
 * switch its routing entry, and <em>defer</em> the delete from the old engine until the routing
 * table that names the new engine is durable ({@link TieredEngine#checkpoint} carries the pending
 * deletes out). Until then the old copy is stale but harmless: nothing reads a copy from an engine
 * the key is not routed to. It also routes COLD a HOT key written with a value the B+tree cannot
 * hold ({@link #demoteOversized}), and finds, at open, the stale copies a crash left
 * ({@link #findStaleCopies}).
 *
 * <p>It works on the engine's state with the engine's locks, in the engine's order (a key's
 * stripe, then {@code applyLock}; the route lock alone for a round of moves): the two engines, the
 * routing table and the map of pending deletes are the engine's, shared with it. What is its own:
 * the count of migrations and the listener that hears them.
 */
final class Migrator {

    private final BPlusTree tree;
    private final LsmStore lsm;
    private final RoutingTable routes;
    private final Ticker ticker;
    /** The engine's per-key locks. */
    private final KeyLocks stripes;
    /** The engine's lock of engine writes, moves and checkpoints. */
    private final ReentrantLock applyLock;
    /** The engine's route lock: open scans hold it shared, a round of moves alone. */
    private final StampedLock routeLock;
    /**
     * The engine's stale copies to delete once the routing table naming the other engine is
     * durable: key -> the engine holding the stale copy.
     */
    private final Map<Bytes, Placement> pendingDeletes;

    private final LongAdder migrations = new LongAdder();
    /** Hears migrations ({@link TieredEngine#setEventListener}). */
    private volatile EventListener events = dev.storagelab.events.TestRecording.listener();

    Migrator(
            BPlusTree tree,
            LsmStore lsm,
            RoutingTable routes,
            Ticker ticker,
            KeyLocks stripes,
            ReentrantLock applyLock,
            StampedLock routeLock,
            Map<Bytes, Placement> pendingDeletes) {
        this.tree = tree;
        this.lsm = lsm;
        this.routes = routes;
        this.ticker = ticker;
        this.stripes = stripes;
        this.applyLock = applyLock;
        this.routeLock = routeLock;
        this.pendingDeletes = pendingDeletes;
    }

    /** The engine that serves {@code placement}. */
    private KeyValueStore engine(Placement placement) {
        return placement == Placement.HOT ? tree : lsm;
    }

    void setEventListener(EventListener listener) {
        this.events = EventListener.orNone(listener);
    }

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
    void demoteOversized(Bytes key) {
        // pending first: a read that asks the B+tree first must never find a copy there routed
        // COLD without a pending delete naming it (TieredEngine#getTreeFirst)
        pendingDeletes.put(key, Placement.HOT);
        routes.route(key, Placement.COLD, ticker.read());
        migrations.increment();
    }

    /**
     * Moves {@code key} to {@code target} if it is not there already: copies its value from the
     * engine it is routed to now into {@code target}, routes it to {@code target} (noting the time,
     * for the minimum residency), and records the old engine's copy as a pending delete, which
     * {@link TieredEngine#checkpoint} carries out once the routing table naming {@code target} is
     * durable. A pending delete of the key from {@code target} itself (a key moved away and back
     * before a checkpoint) is cancelled: that copy is the live one now. A key that holds no value (absent or
     * deleted) moves as a delete: {@code target} gets a tombstone, since it may hold a stale copy of
     * the key that the new route would otherwise bring back. The caller holds the route lock alone.
     *
     * @return whether the key moved
     */
    boolean migrate(Bytes key, Placement target) throws IOException {
        if (EventListener.EMIT && events.isEnabled())
            events.onEvent(EngineEvent.of(
                    EventType.MIGRATION_BEGIN,
                    "key",
                    EngineEvent.keyText(key),
                    "from",
                    routes.placement(key).name(),
                    "to",
                    target.name()));
        boolean moved = copyAndSwitch(key, target);
        if (EventListener.EMIT && events.isEnabled())
            events.onEvent(EngineEvent.of(
                    EventType.MIGRATION_SWITCH, "key", EngineEvent.keyText(key), "to", target.name(), "moved", moved));
        return moved;
    }

    /** {@link #migrate}'s work, which {@link #migrate} reports to the listener before and after. */
    private boolean copyAndSwitch(Bytes key, Placement target) throws IOException {
        Lock lock = stripes.of(key).asWriteLock();
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

    /** Keys moved (and oversized keys routed COLD) since the engine opened. */
    long migrations() {
        return migrations.sum();
    }
}
