package dev.storagelab.hybrid;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.events.EventListener;
import dev.storagelab.hybrid.cache.ReplacementPolicies;
import dev.storagelab.hybrid.cache.WriteBackCache;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction;
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

/**
 * The hybrid store: each key in the engine that serves it most cheaply, behind one write-ahead
 * log. It is lab-06's {@link WriteAheadStore} (every write logged before anything else sees it;
 * checkpoints; replay) over a {@link TieredEngine} (the write-back cache, the routing table, the
 * lab-04 B+tree for hot keys and the lab-05 LSM tree for cold ones). Around them:
 * <ul>
 *   <li>the {@link AccessTracker} sees every read and write, in memory that does not grow with the
 *       number of keys;</li>
 *   <li>after each access the {@link MigrationScheduler} asks the {@link Router} to compare the
 *       key's cost on both engines and, past its guards, queues a move in the {@link MigrationQueue}
 *       (one entry per key);</li>
 *   <li>{@link Maintenance} ({@link #runMaintenance()}, on a background thread unless the options
 *       say otherwise) moves queued keys as fast as the {@link TokenBucket} allows, sweeps the hot
 *       keys for ones to demote, moves old tables to the archive, and takes a checkpoint once the
 *       log has grown enough.</li>
 * </ul>
 *
 * <p>Durability is the log's: a write is durable once it returns (group commit) or once
 * {@link #sync()} returns, as the options' sync mode says. Thread-safe.
 *
 * <p>This class opens the parts, wires them together and delegates. Lab-07 T5's code is in
 * {@link MigrationScheduler#drainMigrations}, {@code Router.decide} and
 * {@code TokenBucket.tryAcquire}.
 */
public final class HybridStore implements RoutedStore {

    private final HybridOptions options;
    private final CountingStorage storage;
    private final TieredStorage tiers;
    private final List<Storage> ownedStorage;
    private final TieredEngine engine;
    private final WriteAheadStore log;
    private final AccessTracker tracker;
    /** Decides which keys move, queues them, and carries the moves out in maintenance rounds. */
    private final MigrationScheduler scheduler;
    /** The rounds of background work, the checkpoints, and the lock they share. */
    private final Maintenance maintenance;

    private volatile boolean closed;

    private HybridStore(
            HybridOptions options,
            CountingStorage storage,
            TieredStorage tiers,
            List<Storage> ownedStorage,
            TieredEngine engine,
            WriteAheadStore log,
            AccessTracker tracker) {
        this.options = options;
        this.storage = storage;
        this.tiers = tiers;
        this.ownedStorage = ownedStorage;
        this.engine = engine;
        this.log = log;
        this.tracker = tracker;
        this.scheduler = new MigrationScheduler(options, engine, tracker);
        this.maintenance = new Maintenance(options, engine, log, tiers, scheduler);
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
        TieredStorage tiers = archive == null
                ? null
                : TieredStorage.open(
                        fast,
                        new LatencyInjectingStorage(archive, options.archiveDevice(), options.sleeper()),
                        options.ticker());
        Storage base = tiers == null ? fast : tiers;
        RoutingTable routes = RoutingTable.read(base, options.ticker().read());
        AccessTracker tracker = new AccessTracker(options.trackerWidth(), options.trackerSampleSize());
        AdaptiveCompaction adaptive = options.adaptiveCompaction() == null
                ? null
                : options.adaptiveCompaction().get();
        TieredEngine[] holder = new TieredEngine[1];
        WriteBackCache cache = options.cacheEntries() == 0
                ? null
                : new WriteBackCache(
                        ReplacementPolicies.of(options.cachePolicy(), options.cacheEntries()),
                        options.maxDirtyEntries(),
                        TieredEngine.sinkOf(holder));
        // The engines open only once the checkpoint record and the log have passed their checks
        // (and each engine decides before it writes), so that a refused open changes nothing.
        WriteAheadStore log = WriteAheadStore.open(
                base,
                () -> {
                    BPlusTree tree = BPlusTree.open(base, options.btree());
                    LsmStore lsm;
                    try {
                        lsm = LsmStore.open(
                                base,
                                adaptive == null
                                        ? options.lsm().withoutWal()
                                        : options.lsm().withoutWal().withCompactionPolicy(adaptive));
                    } catch (IOException | RuntimeException e) {
                        tree.close();
                        throw e;
                    }
                    holder[0] = new TieredEngine(base, tree, lsm, routes, cache, tracker, adaptive, options.ticker());
                    if (options.newKeysHot()) {
                        holder[0].placeNewKeysHot(options.maxHotKeys()); // before the replay: it places them too
                    }
                    try {
                        holder[0].findStaleCopies();
                    } catch (IOException | RuntimeException e) {
                        holder[0].close();
                        throw e;
                    }
                    return holder[0];
                },
                walOptions(options),
                null);
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
        long segment =
                Math.max(64L << 10, Math.min(WalOptions.defaults().segmentBytes(), options.checkpointLogBytes() / 4));
        return WalOptions.defaults().withSyncMode(options.syncMode()).withSegmentBytes(segment);
    }

    // ---------------------------------------------------------------- the store

    @Override
    public Optional<Bytes> get(Bytes key) throws IOException {
        checkOpen();
        // straight to the engine, as the log's get does: the read's placement spares the router's
        // question a look-up in the routing table
        TieredEngine.Read read = engine.read(key); // which checks the key
        scheduler.consider(key, read.value().map(Bytes::length).orElse(0), read.placement());
        return read.value();
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
            scheduler.afterWrite(e);
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
                        AdaptiveCompaction adaptive = engine.adaptiveCompaction();
                        if (adaptive != null) {
                            adaptive.recordScan(from, entries); // a scanned range is leveled sooner
                        }
                        scheduler.consider(
                                from,
                                scheduler.averageValueBytes()); // a key read only by scans may belong in the B+tree too
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

    // ---------------------------------------------------------------- maintenance

    /** Takes a checkpoint now: the cache flushed, both engines and the routing table durable, the log truncated. */
    public void checkpoint() throws IOException {
        checkOpen();
        maintenance.checkpoint();
    }

    /**
     * Runs a round of {@link Maintenance} now: the queued migrations within the token budget, the
     * sweep of the hot keys, a few old tables to the archive, and a checkpoint if the log has grown
     * by {@link HybridOptions#checkpointLogBytes()} since the last.
     */
    @Override
    public void runMaintenance() throws IOException {
        checkOpen();
        maintenance.runRound();
    }

    // ---------------------------------------------------------------- what the shell and the scenarios see

    /** The engine under the log (tests set its read order with {@link TieredEngine#readTreeFirst}). */
    TieredEngine engine() {
        return engine;
    }

    /** Keys a write has routed to the B+tree since open ({@link HybridOptions#newKeysHot}). */
    long newKeysPlacedHot() {
        return engine.newKeysPlacedHot();
    }

    @Override
    public Tier where(Bytes key) throws IOException {
        checkOpen();
        return engine.where(key);
    }

    /** Why {@code key} is where it is: its route, the tracker's estimate and both placements' costs. */
    public record Explanation(
            Bytes key,
            Tier tier,
            Placement route,
            AccessStats stats,
            double hotCost,
            double coldCost,
            long residentNanos,
            boolean queued) {
        @Override
        public String toString() {
            return String.format(
                    "%s: %s (routed %s), reads %.0f writes %.0f scans %.0f value %d B, cost HOT %.1f COLD %.1f,"
                            + " resident %s, %s",
                    key,
                    tier,
                    route,
                    stats.reads(),
                    stats.writes(),
                    stats.scanReads(),
                    stats.valueBytes(),
                    hotCost,
                    coldCost,
                    residentNanos == Long.MAX_VALUE
                            ? "since open"
                            : java.time.Duration.ofNanos(residentNanos).toString(),
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
        long resident =
                movedAt == Long.MIN_VALUE ? Long.MAX_VALUE : options.ticker().read() - movedAt;
        return new Explanation(
                key,
                tier,
                route,
                stats,
                options.costModel().total(Placement.HOT, stats),
                options.costModel().total(Placement.COLD, stats),
                resident,
                scheduler.queued(key));
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
        synchronized (maintenance.lock) {
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
        return scheduler.router();
    }

    /** The router is asked about a key after one access in this many (see {@link HybridOptions#considerEvery()}). */
    public int considerEvery() {
        return scheduler.considerEvery();
    }

    /** Changes {@link #considerEvery()} at run time (the tuner's knob, lab-07 T10). */
    public void setConsiderEvery(int accesses) {
        scheduler.setConsiderEvery(accesses);
    }

    /**
     * Doublings of the router's sampling and of the tracker's read counting now: 0 unless placement
     * has been settled for a round or more ({@link HybridOptions#settledBackoff()}).
     */
    public int samplingBackoff() {
        return scheduler.samplingBackoff();
    }

    /** Keys waiting to move. */
    public int queuedMigrations() {
        return scheduler.queuedMigrations();
    }

    /** The migration budget. */
    public TokenBucket migrationBudget() {
        return scheduler.bucket();
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
        return new HybridStats(
                engine.migrations(),
                scheduler.deferred(),
                engine.routes().hotCount(),
                engine.pendingDeletes(),
                tracker.memoryBytes(),
                cacheEntries,
                engine.cacheHits(),
                engine.cacheMisses(),
                hotBytes,
                coldBytes,
                archiveBytes,
                engine.userBytesWritten(),
                storage.bytesWritten() + archiveBytesWritten);
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
        EventListener events = EventListener.orNone(listener);
        scheduler.setEventListener(events);
        maintenance.setEventListener(events);
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
        maintenance.stop();
        IOException first = null;
        synchronized (maintenance.lock) {
            try {
                if (!maintenance.failed()) {
                    maintenance.checkpointLocked();
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
        return "HybridStore{" + engine + ", " + scheduler + "}";
    }
}
