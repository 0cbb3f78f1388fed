package dev.storagelab.hybrid;

import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventListener;
import dev.storagelab.events.EventType;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.hybrid.cache.ReplacementPolicies;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction;
import dev.storagelab.hybrid.cache.WriteBackCache;
import dev.storagelab.hybrid.cost.AccessStats;
import dev.storagelab.hybrid.tier.LatencyInjectingStorage;
import dev.storagelab.hybrid.tier.TieredStorage;
import dev.storagelab.hybrid.track.AccessTracker;
import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kvstore.WriteAheadStore;
import dev.storagelab.lsm.LsmFileNames;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.wal.WalOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hybrid store: each key in the engine that serves it most cheaply, behind one write-ahead
 * log. It is lab-06's {@link WriteAheadStore} (every write logged before anything else sees it;
 * checkpoints; replay) over a {@link TieredEngine} (the write-back cache, the routing table, the
 * lab-04 B+tree for hot keys and the lab-05 LSM tree for cold ones). Around them:
 * <ul>
 *   <li>the {@link AccessTracker} sees every read and write, in memory that does not grow with the
 *       number of keys;</li>
 *   <li>after each access the {@link Router} compares the key's cost on both engines and, past its
 *       guards, queues a move in the {@link MigrationQueue} (one entry per key);</li>
 *   <li>maintenance ({@link #runMaintenance()}, on a background thread unless the options say
 *       otherwise) moves queued keys as fast as the {@link TokenBucket} allows, sweeps the hot keys
 *       for ones to demote, and takes a checkpoint once the log has grown enough.</li>
 * </ul>
 *
 * <p>Durability is the log's: a write is durable once it returns (group commit) or once
 * {@link #sync()} returns, as the options' sync mode says. Thread-safe.
 */
public final class HybridStore implements RoutedStore {

    /** Hot keys the sweep re-examines per maintenance round. */
    static final int SWEEP_PER_ROUND = 256;

    private final HybridOptions options;
    private final CountingStorage storage;
    private final TieredStorage tiers;
    private final List<Storage> ownedStorage;
    private final TieredEngine engine;
    private final WriteAheadStore log;
    private final AccessTracker tracker;
    private final Router router;
    private final MigrationQueue queue;
    private final TokenBucket bucket;
    private final LongAdder deferred = new LongAdder();
    /** Hears route decisions, table moves and checkpoints ({@link #setEventListener}). */
    private volatile EventListener events = EventListener.NONE;
    private final AtomicLong valueBytesSeen = new AtomicLong();
    private final AtomicLong valuesSeen = new AtomicLong();
    private final ScheduledThreadPoolExecutor maintenance;
    private final Object maintenanceLock = new Object();
    /** The router's sampling, {@link HybridOptions#considerEvery()} at open; the tuner changes it. */
    private volatile int considerEvery;
    private long logBytesAtCheckpoint;
    private Bytes sweepCursor;
    private volatile IOException maintenanceFailure;
    private volatile boolean closed;

    private HybridStore(HybridOptions options, CountingStorage storage, TieredStorage tiers, List<Storage> ownedStorage,
                        TieredEngine engine, WriteAheadStore log, AccessTracker tracker) {
        this.options = options;
        this.storage = storage;
        this.tiers = tiers;
        this.ownedStorage = ownedStorage;
        this.engine = engine;
        this.log = log;
        this.tracker = tracker;
        this.router = new Router(options.costModel(), options.hysteresis(), options.minResidency(), options.paybackWindows());
        this.queue = new MigrationQueue(options.migrationQueueCapacity());
        this.bucket = new TokenBucket(options.migrationsPerSecond(), options.migrationBurst(), options.ticker());
        this.logBytesAtCheckpoint = log.wal().stats().bytes();
        this.considerEvery = options.considerEvery();
        if (options.backgroundWork()) {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "hybrid-maintenance");
                t.setDaemon(true);
                return t;
            });
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            long interval = options.maintenanceInterval().toNanos();
            executor.scheduleWithFixedDelay(this::maintainInBackground, interval, interval, TimeUnit.NANOSECONDS);
            this.maintenance = executor;
        } else {
            this.maintenance = null;
        }
    }

    /**
     * Opens (creating if needed) the store in {@code dir}, its archive tier in {@code dir/archive}
     * behind the options' simulated archive device.
     */
    public static HybridStore open(Path dir, HybridOptions options) throws IOException {
        DiskStorage storage = DiskStorage.open(dir);
        DiskStorage archive = null;
        try {
            archive = storage.subdirectory(ARCHIVE_DIR);
            return open(storage, archive, options, List.of(storage, archive));
        } catch (IOException | RuntimeException e) {
            storage.close();
            if (archive != null) {
                archive.close();
            }
            throw e;
        }
    }

    /** The archive tier's directory under the store's, for {@link #open(Path, HybridOptions)}. */
    public static final String ARCHIVE_DIR = "archive";

    /**
     * Opens (creating if needed) the store in {@code storage}, which the caller keeps and closes;
     * the LSM tree's old tables move to {@code archive} (a different storage), behind the options'
     * simulated archive device ({@link LatencyInjectingStorage}). Recovery: the tiers' interrupted
     * moves finished or undone, the routing table of the last checkpoint, both engines at their
     * last checkpoints, the log replayed after it, then the stale copies a crash may have left
     * found and queued for deletion.
     */
    public static HybridStore open(Storage storage, Storage archive, HybridOptions options) throws IOException {
        return open(storage, Objects.requireNonNull(archive, "archive"), options, List.of());
    }

    /** Opens the store in {@code storage} with no archive tier (its tables stay where they are born). */
    public static HybridStore open(Storage storage, HybridOptions options) throws IOException {
        return open(storage, null, options, List.of());
    }

    private static HybridStore open(Storage storage, Storage archive, HybridOptions options, List<Storage> owned)
            throws IOException {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(options, "options");
        CountingStorage fast = new CountingStorage(storage);
        TieredStorage tiers = archive == null ? null : TieredStorage.open(fast,
                new LatencyInjectingStorage(archive, options.archiveDevice(), options.sleeper()), options.ticker());
        Storage base = tiers == null ? fast : tiers;
        RoutingTable routes = RoutingTable.read(base, options.ticker().read());
        AccessTracker tracker = new AccessTracker(options.trackerWidth(), options.trackerSampleSize());
        AdaptiveCompaction adaptive = options.adaptiveCompaction() == null ? null : options.adaptiveCompaction().get();
        TieredEngine[] holder = new TieredEngine[1];
        WriteBackCache cache = options.cacheEntries() == 0 ? null
                : new WriteBackCache(ReplacementPolicies.of(options.cachePolicy(), options.cacheEntries()),
                        options.maxDirtyEntries(), TieredEngine.sinkOf(holder));
        // The engines open only once the checkpoint record and the log have passed their checks
        // (and each engine decides before it writes), so that a refused open changes nothing.
        WriteAheadStore log = WriteAheadStore.open(base, () -> {
            BPlusTree tree = BPlusTree.open(base, options.btree());
            LsmStore lsm;
            try {
                lsm = LsmStore.open(base, adaptive == null ? options.lsm().withoutWal()
                        : options.lsm().withoutWal().withCompactionPolicy(adaptive));
            } catch (IOException | RuntimeException e) {
                tree.close();
                throw e;
            }
            holder[0] = new TieredEngine(base, tree, lsm, routes, cache, tracker, adaptive, options.ticker());
            try {
                holder[0].findStaleCopies();
            } catch (IOException | RuntimeException e) {
                holder[0].close();
                throw e;
            }
            return holder[0];
        }, walOptions(options), null);
        try {
            return new HybridStore(options, fast, tiers, owned, holder[0], log, tracker);
        } catch (RuntimeException e) {
            try {
                log.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    public HybridOptions options() {
        return options;
    }

    /**
     * The log's options: the sync mode asked for, and segments of a quarter of the checkpoint
     * interval (between 64 KiB and the default 16 MiB). A checkpoint removes only whole segments, so
     * with the default segments a small store would keep up to 16 MiB of log beside its data.
     */
    static WalOptions walOptions(HybridOptions options) {
        long segment = Math.max(64L << 10, Math.min(WalOptions.defaults().segmentBytes(), options.checkpointLogBytes() / 4));
        return WalOptions.defaults().withSyncMode(options.syncMode()).withSegmentBytes(segment);
    }

    // ---------------------------------------------------------------- the store

    @Override
    public Optional<Bytes> get(Bytes key) throws IOException {
        checkOpen();
        Optional<Bytes> value = log.get(key);
        consider(key, value.map(Bytes::length).orElse(0));
        return value;
    }

    @Override
    public void put(Bytes key, Bytes value) throws IOException {
        write(List.of(Entry.put(key, value)));
    }

    @Override
    public void delete(Bytes key) throws IOException {
        write(List.of(Entry.tombstone(key)));
    }

    /** Writes {@code ops} atomically (one log record), then routes each to its engine through the cache. */
    @Override
    public void write(List<Entry> ops) throws IOException {
        checkOpen();
        log.write(ops);
        for (Entry e : ops) {
            int size = e.isTombstone() ? 0 : e.value().length();
            if (!e.isTombstone()) {
                valueBytesSeen.addAndGet(size);
                valuesSeen.incrementAndGet();
            }
            consider(e.key(), size);
        }
    }

    @Override
    public EntryIterator scan(Bytes from, Bytes to) {
        checkOpen();
        return tracked(from, log.scan(from, to));
    }

    @Override
    public EntryIterator scanReverse(Bytes from, Bytes to) {
        checkOpen();
        return tracked(from, log.scanReverse(from, to));
    }

    private EntryIterator tracked(Bytes from, EntryIterator scan) {
        return new EntryIterator() {
            private int entries;
            private boolean closed;

            @Override
            public boolean hasNext() {
                return scan.hasNext();
            }

            @Override
            public Entry next() {
                Entry e = scan.next();
                entries++;
                return e;
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    scan.close();
                    if (from != null && entries > 0) {
                        tracker.recordScan(from, entries);
                        consider(from, averageValueBytes()); // a key read only by scans may belong in the B+tree too
                    }
                }
            }
        };
    }

    /** Forces the log: every write that has returned is durable. */
    @Override
    public void sync() throws IOException {
        checkOpen();
        log.sync();
    }

    /** Takes a checkpoint now: the cache flushed, both engines and the routing table durable, the log truncated. */
    public void checkpoint() throws IOException {
        checkOpen();
        synchronized (maintenanceLock) {
            checkpointLocked();
        }
    }

    private void checkpointLocked() throws IOException {
        log.checkpoint(() -> new byte[0]);
        logBytesAtCheckpoint = log.wal().stats().bytes();
        if (EventListener.EMIT && events.isEnabled()) events.onEvent(EngineEvent.of(EventType.CHECKPOINT, "engine", "hybrid", "routes", engine.routes().hotCount()));
    }

    // ---------------------------------------------------------------- routing

    /**
     * After an access: asks the router whether {@code key} should move and, if so, queues the move
     * (or counts it deferred: the hot set is full, or the queue is).
     */
    private void consider(Bytes key, int valueBytes) {
        int every = considerEvery;
        if (every > 1 && java.util.concurrent.ThreadLocalRandom.current().nextInt(every) != 0) {
            return;
        }
        considerNow(key, valueBytes);
    }

    /** {@link #consider} without the sampling: the sweep asks about every hot key it visits. */
    private void considerNow(Bytes key, int valueBytes) {
        RoutingTable routes = engine.routes();
        Placement current = routes.placement(key);
        if (queue.contains(key)) {
            return;
        }
        long movedAt = routes.movedAt(key);
        long resident = movedAt == Long.MIN_VALUE ? Long.MAX_VALUE : options.ticker().read() - movedAt;
        Placement target = router.decide(current, tracker.stats(key, valueBytes), resident);
        if (target == null) {
            return;
        }
        if (EventListener.EMIT && events.isEnabled()) events.onEvent(EngineEvent.of(EventType.ROUTE_DECISION, "key", EngineEvent.keyText(key), "from", current.name(), "to", target.name()));
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
     * the moves ahead of it may have taken it since (the router asks again on the key's next access). With no token left, the move stays at the head of the queue for a
     * later round and counts as deferred. Moves run only while no scan is open (the route lock alone);
     * if one is, nothing moves this round. Returns the number of keys moved.
     */
    int drainMigrations() throws IOException {
        long stamp = engine.tryBeginMoves();
        if (stamp == 0) {
            return 0;
        }
        try {
            // BEGIN SOLUTION lab-07 T5
            int moved = 0;
            for (MigrationQueue.Move move = queue.peek(); move != null; move = queue.peek()) {
                Placement current = engine.routes().placement(move.key());
                long movedAt = engine.routes().movedAt(move.key());
                long resident = movedAt == Long.MIN_VALUE ? Long.MAX_VALUE : options.ticker().read() - movedAt;
                if (current == move.target()
                        || router.decide(current, tracker.stats(move.key(), move.valueBytes()), resident) != move.target()) {
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
                if (engine.migrate(move.key(), move.target())) {
                    moved++;
                }
            }
            return moved;
            // END SOLUTION
        } finally {
            engine.endMoves(stamp);
        }
    }

    /** The mean size of the values written since the store opened (0 before the first). */
    private int averageValueBytes() {
        long seen = valuesSeen.get();
        return seen == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, valueBytesSeen.get() / seen);
    }

    /**
     * Re-examines up to {@link #SWEEP_PER_ROUND} hot keys, from where the last round stopped: a hot
     * key nobody touches is never considered after an access, so only the sweep can demote it.
     */
    private void sweepHotKeys() {
        RoutingTable routes = engine.routes();
        int valueBytes = averageValueBytes();
        for (int i = 0; i < SWEEP_PER_ROUND; i++) {
            sweepCursor = routes.nextHot(sweepCursor);
            if (sweepCursor == null) {
                break;
            }
            considerNow(sweepCursor, valueBytes);
        }
        long now = options.ticker().read();
        routes.pruneMoveTimes(now - options.minResidency().toNanos());
    }

    /** Tables moved to the archive per maintenance round, at most: a move to an object store takes a while. */
    static final int ARCHIVE_MOVES_PER_ROUND = 4;

    /**
     * Moves the oldest of the LSM tree's tables older than the archive age to the archive, a few per
     * round ({@link #ARCHIVE_MOVES_PER_ROUND}): each move is a copy to a slow device, and the
     * round's migrations and checkpoint wait for it.
     */
    private void archiveSome() throws IOException {
        int moved = 0;
        for (String name : tiers.candidatesForArchive(options.archiveAge(), TieredStorage.lsmTables())) {
            if (moved == ARCHIVE_MOVES_PER_ROUND) {
                break;
            }
            try {
                if (tiers.moveToArchive(name)) {
                    moved++;
                    if (EventListener.EMIT && events.isEnabled()) events.onEvent(EngineEvent.of(EventType.TIER_MOVE, "table", name, "from", "fast", "to", "archive"));
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // a compaction deleted it since the selection: nothing to move
            }
        }
    }

    @Override
    public void runMaintenance() throws IOException {
        checkOpen();
        synchronized (maintenanceLock) {
            IOException failure = maintenanceFailure;
            if (failure != null) {
                throw new IOException("background maintenance failed earlier: " + failure.getMessage(), failure);
            }
            drainMigrations();
            sweepHotKeys();
            if (tiers != null && !options.archiveAge().isZero()) {
                archiveSome();
            }
            if (log.wal().stats().bytes() - logBytesAtCheckpoint >= options.checkpointLogBytes()) {
                checkpointLocked();
            }
        }
    }

    private void maintainInBackground() {
        if (closed || maintenanceFailure != null) {
            return;
        }
        try {
            runMaintenance();
        } catch (IOException e) {
            maintenanceFailure = e;
        } catch (IllegalStateException e) {
            // closed meanwhile
        }
    }

    // ---------------------------------------------------------------- what the shell and the scenarios see

    @Override
    public Tier where(Bytes key) throws IOException {
        checkOpen();
        return engine.where(key);
    }

    /** Why {@code key} is where it is: its route, the tracker's estimate and both placements' costs. */
    public record Explanation(Bytes key, Tier tier, Placement route, AccessStats stats, double hotCost,
                              double coldCost, long residentNanos, boolean queued) {
        @Override
        public String toString() {
            return String.format("%s: %s (routed %s), reads %.0f writes %.0f scans %.0f value %d B, cost HOT %.1f COLD %.1f,"
                            + " resident %s, %s", key, tier, route, stats.reads(), stats.writes(), stats.scanReads(),
                    stats.valueBytes(), hotCost, coldCost,
                    residentNanos == Long.MAX_VALUE ? "since open" : java.time.Duration.ofNanos(residentNanos).toString(),
                    queued ? "a move is queued" : "no move queued");
        }
    }

    /** The explanation of {@code key}'s place (reads its value once to learn its size; records no access). */
    public Explanation explain(Bytes key) throws IOException {
        checkOpen();
        Tier tier = engine.where(key);
        Placement route = engine.routes().placement(key);
        int size = engine.engine(route).get(key).map(Bytes::length).orElse(0);
        AccessStats stats = tracker.stats(key, size);
        long movedAt = engine.routes().movedAt(key);
        long resident = movedAt == Long.MIN_VALUE ? Long.MAX_VALUE : options.ticker().read() - movedAt;
        return new Explanation(key, tier, route, stats, options.costModel().total(Placement.HOT, stats),
                options.costModel().total(Placement.COLD, stats), resident, queue.contains(key));
    }

    /**
     * Moves {@code key} to {@code target} now, whatever the router thinks and however many tokens
     * are left (the shell's {@code move KEY hot|cold}, and tests): waits for open scans to close,
     * then {@link TieredEngine#migrate}. Returns whether the key moved (false: it was there already).
     */
    public boolean move(Bytes key, Placement target) throws IOException {
        checkOpen();
        dev.storagelab.kv.KeyValueStore.checkKey(key);
        Objects.requireNonNull(target, "target");
        synchronized (maintenanceLock) {
            long stamp = engine.beginMoves();
            try {
                return engine.migrate(key, target);
            } finally {
                engine.endMoves(stamp);
            }
        }
    }

    /** The router: its hysteresis and payback horizon can be changed at run time (lab-07 T10). */
    public Router router() {
        return router;
    }

    /** The router is asked about a key after one access in this many (see {@link HybridOptions#considerEvery()}). */
    public int considerEvery() {
        return considerEvery;
    }

    /** Changes {@link #considerEvery()} at run time (the tuner's knob, lab-07 T10). */
    public void setConsiderEvery(int accesses) {
        com.google.common.base.Preconditions.checkArgument(accesses >= 1, "considerEvery must be at least 1: %s", accesses);
        this.considerEvery = accesses;
    }

    /** Keys waiting to move. */
    public int queuedMigrations() {
        return queue.size();
    }

    /** The migration budget. */
    public TokenBucket migrationBudget() {
        return bucket;
    }

    @Override
    public HybridStats stats() {
        long hotBytes = 0;
        long coldBytes = 0;
        long archiveBytes = 0;
        long archiveBytesWritten = 0;
        try {
            for (String name : storage.list()) {
                if (name.equals(BPlusTree.FILE_NAME)) {
                    hotBytes += sizeOrZero(name);
                } else if (LsmFileNames.parse(name) != null) {
                    coldBytes += sizeOrZero(name);
                }
            }
            if (tiers != null) {
                dev.storagelab.hybrid.tier.TierReport report = tiers.report();
                archiveBytes = report.archiveBytes();
                archiveBytesWritten = report.archiveBytesWritten();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("sizing the store's files failed", e);
        }
        WriteBackCache cache = engine.cache();
        long cacheEntries = cache == null ? 0 : cache.size();
        return new HybridStats(engine.migrations(), deferred.sum(), engine.routes().hotCount(), engine.pendingDeletes(),
                tracker.memoryBytes(), cacheEntries, engine.cacheHits(), engine.cacheMisses(), hotBytes, coldBytes, archiveBytes,
                engine.userBytesWritten(), storage.bytesWritten() + archiveBytesWritten);
    }

    /** The size of {@code name}, or 0 if a compaction deleted it since the listing. */
    private long sizeOrZero(String name) throws IOException {
        try {
            return storage.size(name);
        } catch (java.nio.file.NoSuchFileException | java.io.FileNotFoundException e) {
            return 0;
        }
    }

    /**
     * Sets who hears this store's events ({@link EventListener}): route decisions, migrations,
     * table moves between tiers, checkpoints, its log's group commits, and its engines' own
     * (splits, flushes, compactions); null for none.
     */
    public void setEventListener(EventListener listener) {
        this.events = EventListener.orNone(listener);
        engine.setEventListener(events);
        log.wal().setEventListener(events);
    }

    /** The routing table: which keys live in the B+tree (for the workbench's views). */
    public RoutingTable routes() {
        return engine.routes();
    }

    /** The B+tree (for its statistics). */
    public BPlusTree tree() {
        return engine.tree();
    }

    /** The LSM tree's adaptive compaction policy, or null if the options did not ask for one. */
    public AdaptiveCompaction adaptiveCompaction() {
        return engine.adaptiveCompaction();
    }

    /** The tiers (fast and archive) under the engines, or null if the store has no archive. */
    public TieredStorage tiers() {
        return tiers;
    }

    /** The write-back cache (for its statistics), or null if the options turned it off. */
    public WriteBackCache cache() {
        return engine.cache();
    }

    /** The LSM tree (for its statistics). */
    public LsmStore lsm() {
        return engine.lsm();
    }

    // ---------------------------------------------------------------- close

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the hybrid store is closed");
        }
    }

    /** Stops maintenance, takes a checkpoint (so the next open replays nothing), closes the log and both engines. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        if (maintenance != null) {
            maintenance.shutdown();
            try {
                maintenance.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        IOException first = null;
        synchronized (maintenanceLock) {
            try {
                if (maintenanceFailure == null) {
                    checkpointLocked();
                }
            } catch (IOException e) {
                first = e;
            }
            closed = true;
        }
        try {
            log.close();
        } catch (IOException e) {
            first = first == null ? e : first;
        }
        for (Storage owned : ownedStorage) {
            try {
                owned.close();
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
        return "HybridStore{" + engine + ", " + queue.size() + " queued moves, " + bucket + "}";
    }
}
