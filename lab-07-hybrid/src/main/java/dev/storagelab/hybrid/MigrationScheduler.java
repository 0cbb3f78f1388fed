package dev.storagelab.hybrid;

import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventListener;
import dev.storagelab.events.EventType;
import dev.storagelab.hybrid.cost.AccessStats;
import dev.storagelab.hybrid.track.AccessTracker;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decides which keys move between the engines of a {@link HybridStore}, and when (lab-07 T5: you
 * write {@link #drainMigrations}). After an access ({@link #consider}) it asks the {@link Router}
 * whether the key would cost less on the other engine and, past the router's guards, queues the
 * move in the {@link MigrationQueue} (one entry per key); a maintenance round then carries out the
 * queued moves as fast as the {@link TokenBucket} allows ({@link #drainMigrations}, each move by
 * {@link TieredEngine#migrate}), and sweeps the hot keys for ones to demote
 * ({@link #sweepHotKeys}): a hot key nobody touches is never considered after an access.
 *
 * <p>While placement is settled it thins its sampling ({@link HybridOptions#settledBackoff()},
 * {@link #adjustSampling}): after each round in which no question wanted a move, the router is
 * asked, and the engine counts a read, half as often, down to the option's limit; a round in
 * which one did brings both back.
 *
 * <p>Request threads call {@link #consider} (the queue's offers are atomic); only the maintenance
 * round, under the store's maintenance lock, drains, sweeps and adjusts the sampling. What is its
 * own: the router, the queue, the bucket, the count of deferred moves, the sampling rate and its
 * backoff, and the mean value size.
 */
final class MigrationScheduler {

    /** Hot keys the sweep re-examines per maintenance round. */
    static final int SWEEP_PER_ROUND = 256;

    private final HybridOptions options;
    private final TieredEngine engine;
    private final AccessTracker tracker;
    private final Router router;
    private final MigrationQueue queue;
    private final TokenBucket bucket;
    private final LongAdder deferred = new LongAdder();
    /** Hears route decisions ({@link HybridStore#setEventListener}). */
    private volatile EventListener events = dev.storagelab.events.TestRecording.listener();

    private final AtomicLong valueBytesSeen = new AtomicLong();
    private final AtomicLong valuesSeen = new AtomicLong();
    /** The router's sampling, {@link HybridOptions#considerEvery()} at open; the tuner changes it. */
    private volatile int considerEvery;
    /** Doublings of the sampling while placement is settled, 0 to {@link HybridOptions#settledBackoff()}. */
    private volatile int backoff;
    /** {@link #considerEvery} doubled {@link #backoff} times: what {@link #consider} samples by. */
    private volatile int sampledEvery;
    /** Questions that wanted a move since the last {@link #adjustSampling}. */
    private final LongAdder movesWanted = new LongAdder();
    /** Where the sweep stopped; only the maintenance round reads and writes it. */
    private Bytes sweepCursor;

    MigrationScheduler(HybridOptions options, TieredEngine engine, AccessTracker tracker) {
        this.options = options;
        this.engine = engine;
        this.tracker = tracker;
        this.router =
                new Router(options.costModel(), options.hysteresis(), options.minResidency(), options.paybackWindows());
        this.queue = new MigrationQueue(options.migrationQueueCapacity());
        this.bucket = new TokenBucket(options.migrationsPerSecond(), options.migrationBurst(), options.ticker());
        this.considerEvery = options.considerEvery();
        this.sampledEvery = considerEvery;
    }

    /** After a logged write of {@code e}: counts its value's size, then {@link #consider}s its key. */
    void afterWrite(Entry e) {
        int size = e.isTombstone() ? 0 : e.value().length();
        if (!e.isTombstone()) {
            valueBytesSeen.addAndGet(size);
            valuesSeen.incrementAndGet();
        }
        consider(e.key(), size);
    }

    /**
     * After an access: asks the router whether {@code key} should move and, if so, queues the move
     * (or counts it deferred: the hot set is full, or the queue is).
     */
    void consider(Bytes key, int valueBytes) {
        consider(key, valueBytes, null);
    }

    /**
     * {@link #consider(Bytes, int)} for a key whose placement the access has just found
     * ({@code placement}; null if it did not, as when the record cache served it), which spares a
     * look-up in the routing table.
     */
    void consider(Bytes key, int valueBytes, Placement placement) {
        int every = sampledEvery;
        if (every > 1 && java.util.concurrent.ThreadLocalRandom.current().nextInt(every) != 0) {
            return;
        }
        considerNow(key, valueBytes, placement);
    }

    /** {@link #consider} without the sampling: the sweep asks about every hot key it visits. */
    private void considerNow(Bytes key, int valueBytes, Placement placement) {
        RoutingTable routes = engine.routes();
        Placement current = placement != null ? placement : routes.placement(key);
        AccessStats stats = tracker.stats(key, valueBytes);
        // Most keys stay whatever their residency (the router moves a key only if every guard
        // passes): the move time is looked up, and the queue's lock taken, only for one that would move.
        Placement target = router.decide(current, stats, Long.MAX_VALUE);
        if (target == null) {
            return;
        }
        long movedAt = routes.movedAt(key);
        if (movedAt != Long.MIN_VALUE) {
            target = router.decide(current, stats, options.ticker().read() - movedAt);
        }
        if (target == null) {
            return;
        }
        movesWanted.increment();
        if (queue.contains(key)) {
            return;
        }
        if (EventListener.EMIT && events.isEnabled())
            events.onEvent(EngineEvent.of(
                    EventType.ROUTE_DECISION,
                    "key",
                    EngineEvent.keyText(key),
                    "from",
                    current.name(),
                    "to",
                    target.name()));
        if (target == Placement.HOT && !engine.fitsHot(key, valueBytes)) {
            return; // the B+tree cannot hold it: no cost makes it HOT
        }
        if (target == Placement.HOT && routes.hotCount() >= options.maxHotKeys()) {
            deferred.increment();
            return;
        }
        if (!queue.offer(key, target, valueBytes)) {
            deferred.increment();
        }
    }

    /**
     * Carries out queued moves, oldest first, while the token bucket has tokens: each move still
     * wanted (the key is not already there, and the router, asked again with the key's statistics
     * now, still picks that target; otherwise it is dropped) takes one token and is carried out with
     * {@link TieredEngine#migrate}. A promotion that finds the hot set full ({@code maxHotKeys}) is
     * dropped and counts as deferred, without a token: the room was checked when it was queued, and
     * the moves ahead of it may have taken it since (the router asks again on the key's next
     * access). With no token left, the move stays at the head of the queue for a later round and
     * counts as deferred. Moves run only while no scan is open (the route lock alone); if one is,
     * nothing moves this round. The moves are counted where they happen ({@link
     * TieredEngine#migrate}, read back as {@link HybridStats#migrations()}); the deferred ones here
     * ({@link #deferred()}, {@link HybridStats#migrationsDeferred()}).
     */
    void drainMigrations() throws IOException {
        long stamp = engine.tryBeginMoves();
        if (stamp == 0) {
            return;
        }
        try {
            // BEGIN SOLUTION lab-07 T5
            for (MigrationQueue.Move move = queue.peek(); move != null; move = queue.peek()) {
                Placement current = engine.routes().placement(move.key());
                long movedAt = engine.routes().movedAt(move.key());
                long resident = movedAt == Long.MIN_VALUE
                        ? Long.MAX_VALUE
                        : options.ticker().read() - movedAt;
                if (current == move.target()
                        || router.decide(current, tracker.stats(move.key(), move.valueBytes()), resident)
                                != move.target()) {
                    queue.remove(move);
                    continue;
                }
                if (move.target() == Placement.HOT && engine.routes().hotCount() >= options.maxHotKeys()) {
                    queue.remove(move); // the room was checked when it was queued; other moves took it since
                    deferred.increment();
                    continue;
                }
                if (!bucket.tryAcquire()) {
                    deferred.increment();
                    break;
                }
                queue.remove(move);
                engine.migrate(move.key(), move.target());
            }
            // END SOLUTION
        } finally {
            engine.endMoves(stamp);
        }
    }

    /**
     * Thins or restores the sampling after a maintenance round ({@link HybridOptions#settledBackoff()}):
     * if no question since the last call wanted a move, the backoff grows by one doubling, up to the
     * option's limit; if one did, it drops to none. The engine then counts one read in
     * 2<sup>backoff</sup> ({@link TieredEngine#countReadsOneIn}), and the router is asked after one
     * access in {@code considerEvery} x 2<sup>backoff</sup>.
     */
    void adjustSampling() {
        boolean settled = movesWanted.sumThenReset() == 0;
        int next = settled ? Math.min(options.settledBackoff(), backoff + 1) : 0;
        if (next != backoff) {
            backoff = next;
            sample();
        }
    }

    /**
     * Sets {@link #sampledEvery} and the engine's read counting from the rate and the backoff, each
     * written before the call (by the maintenance round or the tuner's thread; whichever call comes
     * last reads both).
     */
    private synchronized void sample() {
        sampledEvery = (int) Math.min(Integer.MAX_VALUE, (long) considerEvery << backoff);
        engine.countReadsOneIn(1 << backoff);
    }

    /** Doublings of the sampling now: 0 unless placement has been settled ({@link #adjustSampling}). */
    int samplingBackoff() {
        return backoff;
    }

    /** The mean size of the values written since the store opened (0 before the first). */
    int averageValueBytes() {
        long seen = valuesSeen.get();
        return seen == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, valueBytesSeen.get() / seen);
    }

    /**
     * Re-examines up to {@link #SWEEP_PER_ROUND} hot keys, from where the last round stopped: a hot
     * key nobody touches is never considered after an access, so only the sweep can demote it.
     */
    void sweepHotKeys() {
        RoutingTable routes = engine.routes();
        int valueBytes = averageValueBytes();
        for (int i = 0; i < SWEEP_PER_ROUND; i++) {
            sweepCursor = routes.nextHot(sweepCursor);
            if (sweepCursor == null) {
                break;
            }
            considerNow(sweepCursor, valueBytes, Placement.HOT);
        }
        long now = options.ticker().read();
        routes.pruneMoveTimes(now - options.minResidency().toNanos());
    }

    /** Whether a move of {@code key} is queued. */
    boolean queued(Bytes key) {
        return queue.contains(key);
    }

    /** Keys waiting to move. */
    int queuedMigrations() {
        return queue.size();
    }

    /** Moves wanted but not made: no room in the hot set or the queue, or no token left. */
    long deferred() {
        return deferred.sum();
    }

    Router router() {
        return router;
    }

    TokenBucket bucket() {
        return bucket;
    }

    int considerEvery() {
        return considerEvery;
    }

    void setConsiderEvery(int accesses) {
        com.google.common.base.Preconditions.checkArgument(
                accesses >= 1, "considerEvery must be at least 1: %s", accesses);
        this.considerEvery = accesses;
        sample();
    }

    void setEventListener(EventListener listener) {
        this.events = EventListener.orNone(listener);
    }

    @Override
    public String toString() {
        return queue.size() + " queued moves, " + bucket;
    }
}
