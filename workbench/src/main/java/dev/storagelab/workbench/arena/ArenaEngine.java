package dev.storagelab.workbench.arena;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction;
import dev.storagelab.hybrid.compaction.KeyTime;
import dev.storagelab.hybrid.compaction.TimeWindowCompaction;
import dev.storagelab.hybrid.track.AccessTracker;
import dev.storagelab.kvstore.Engine;
import dev.storagelab.kvstore.WriteAheadStore;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.wal.WalOptions;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The engines the arena holds to one memory budget and one durability: each opens on the arena's
 * {@link DeviceStorage}, splits {@code --memory} among its own caches as it sees best, and logs
 * every write with the arena's {@link SyncMode} before applying it:
 * <ul>
 *   <li>{@code btree}: the lab-04 B+tree behind lab-06's write-ahead log ({@link WriteAheadStore}),
 *       the whole budget its buffer pool, a checkpoint every {@link #CHECKPOINT_LOG_BYTES} of log;</li>
 *   <li>{@code lsm}: the lab-05 LSM tree with its own log (forced on every write unless the mode is
 *       {@code none}), a quarter of the budget per memtable (one more may wait for its flush), the
 *       rest its block cache less what its tables' index and filter blocks hold;</li>
 *   <li>{@code hybrid}: lab-07's store, its one log in front of both engines, the budget split among
 *       the B+tree's pool (the hot keys), the LSM tree's memtables and block cache (the cold ones),
 *       its record cache and its access tracker ({@link #hybridOptions}).</li>
 * </ul>
 * The memory an engine holds is read from its caches while it runs ({@link ArenaOpened#memory()}). The
 * production peers join them through {@link ArenaPeer} ({@link ArenaEntrant#byId}).
 */
enum ArenaEngine implements ArenaEntrant {
    BTREE("btree"),
    LSM("lsm"),
    HYBRID("hybrid");

    /** A checkpoint (the B+tree's, the hybrid's) once the log has grown this much since the last. */
    static final long CHECKPOINT_LOG_BYTES = 64L << 20;
    /** The smallest pool the arena gives a B+tree: a write pins a page per level and splits need spares. */
    static final int MIN_FRAMES = 64;
    /** The smallest memtable the arena gives an LSM tree. */
    static final long MIN_MEMTABLE = 64 << 10;

    private final String id;

    ArenaEngine(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean course() {
        return true;
    }

    /** The smallest budget this engine opens with. */
    @Override
    public long minBudget() {
        return switch (this) {
            case BTREE -> (long) MIN_FRAMES * BTreeOptions.defaults().pageSize();
            case LSM -> 4 * MIN_MEMTABLE;
            case HYBRID -> (long) MIN_FRAMES * BTreeOptions.defaults().pageSize() * 2 + 4 * MIN_MEMTABLE;
        };
    }

    /**
     * Opens the engine on {@code storage} with {@code budget} bytes of memory and the log's
     * {@code sync} mode; {@code entryBytes} is the workload's mean key and value size (what a
     * record cache entry costs).
     *
     * @throws IllegalArgumentException if the budget is below {@link #minBudget()}, naming the fix
     */
    @Override
    public ArenaOpened open(
            DeviceStorage storage,
            long budget,
            SyncMode sync,
            int entryBytes,
            long dataBytes,
            List<dev.storagelab.kv.Bytes> ranges)
            throws IOException {
        checkBudget(budget);
        return switch (this) {
            case BTREE -> openBtree(storage, budget, sync);
            case LSM -> openLsm(storage, budget, sync, dataBytes, entryBytes);
            case HYBRID -> openHybrid(storage, hybridOptions(budget, sync, entryBytes, dataBytes, ranges), entryBytes);
        };
    }

    private static ArenaOpened openBtree(DeviceStorage storage, long budget, SyncMode sync) throws IOException {
        BTreeOptions options = BTreeOptions.defaults();
        int frames = (int) (budget / options.pageSize());
        BPlusTree tree = BPlusTree.open(storage, options.withPoolFrames(frames));
        WriteAheadStore log = WriteAheadStore.open(
                storage, Engine.of(tree), WalOptions.defaults().withSyncMode(sync), null);
        // The hybrid checkpoints on its maintenance thread; the B+tree gets the same, every 100 ms.
        ScheduledThreadPoolExecutor checkpoints = daemon("arena-btree-checkpoint");
        long[] atLastCheckpoint = {log.wal().stats().bytes()};
        checkpoints.scheduleWithFixedDelay(
                () -> {
                    try {
                        long bytes = log.wal().stats().bytes();
                        if (bytes - atLastCheckpoint[0] >= CHECKPOINT_LOG_BYTES) {
                            log.checkpoint(() -> new byte[0]);
                            atLastCheckpoint[0] = bytes;
                        }
                    } catch (IOException | RuntimeException e) {
                        // closed meanwhile, or the next round tries again
                    }
                },
                100,
                100,
                TimeUnit.MILLISECONDS);
        long pool = (long) frames * options.pageSize();
        return new ArenaOpened(log, "buffer pool " + Arena.size(pool)) {
            @Override
            public Map<String, Long> memory() {
                return Map.of("bufferPool", pool);
            }

            @Override
            public void close() throws IOException {
                checkpoints.shutdownNow();
                log.close();
            }
        };
    }

    private static ArenaOpened openLsm(
            DeviceStorage storage, long budget, SyncMode sync, long dataBytes, int entryBytes) throws IOException {
        long memtable = Math.max(MIN_MEMTABLE, budget / 8);
        LsmOptions options = lsmOptions(
                        memtable, budget - MEMTABLES * memtable - indexAndFilterReserve(dataBytes, entryBytes))
                .withSyncWrites(sync != SyncMode.NONE);
        long blockCache = options.blockCacheBytes();
        LsmStore lsm = LsmStore.open(storage, options);
        return new ArenaOpened(
                lsm,
                MEMTABLES + " memtables of " + Arena.size(memtable) + ", block cache " + Arena.size(blockCache)
                        + ", the tables' index and filter blocks") {
            @Override
            public Map<String, Long> memory() {
                return lsmMemory(lsm, entryBytes);
            }

            @Override
            public Map<String, String> state() {
                return lsmState(lsm, "");
            }

            @Override
            public boolean settled() {
                return lsm.pendingCompactionBytes() < lsm.options().level1Bytes();
            }

            @Override
            public void close() throws IOException {
                lsm.close();
            }
        };
    }

    /** An LSM tree's shape at the end of a run: its tables per level, and its block cache's hit rate since it opened. */
    static Map<String, String> lsmState(LsmStore lsm, String prefix) {
        LsmStore.Stats s = lsm.stats();
        Map<String, String> m = new LinkedHashMap<>();
        m.put(prefix + "tablesPerLevel", java.util.Arrays.toString(s.filesPerLevel()));
        if (s.blockCache() != null) {
            m.put(
                    prefix + "blockCacheHitRate",
                    String.format(Locale.ROOT, "%.3f", s.blockCache().hitRate()));
        }
        return m;
    }

    /** Memtables an LSM tree may hold at once: the active one and {@code maxImmutableMemtables} waiting for their flush. */
    static final int MEMTABLES = 3;

    /** LevelDB's defaults with {@code memtable}-byte memtables and a block cache of {@code blockCache} bytes (at least 0). */
    static LsmOptions lsmOptions(long memtable, long blockCache) {
        LsmOptions.Builder b =
                LsmOptions.defaults()
                        .withMemtableBytes(memtable)
                        .withBlockCacheBytes(Math.max(0, blockCache))
                        .toBuilder();
        b.maxImmutableMemtables = MEMTABLES - 1;
        return b.build();
    }

    /**
     * The memory an LSM tree's tables keep for their life: each table's index block (about
     * {@link #INDEX_ENTRY_BYTES} per data block) and Bloom filter (10 bits per entry).
     */
    static long indexAndFilterBytes(long tableBytes, int entryBytes) {
        return indexAndFilterBytesOf(tableBytes, entryBytes);
    }

    /**
     * What {@link #indexAndFilterBytes} will come to for {@code dataBytes} of data, with room for
     * the tables to grow by half again (inserts, and versions compaction has not dropped yet):
     * what an LSM tree sets aside from its budget at open.
     */
    static long indexAndFilterReserve(long dataBytes, int entryBytes) {
        return indexAndFilterBytesOf(dataBytes + dataBytes / 2, entryBytes);
    }

    private static long indexAndFilterBytesOf(long tableBytes, int entryBytes) {
        LsmOptions o = LsmOptions.defaults();
        return tableBytes / Math.max(1, entryBytes) * o.bloomBitsPerKey() / 8
                + tableBytes / o.blockBytes() * INDEX_ENTRY_BYTES;
    }

    /** An index block's entry: the separator key, the block's offset and size, the entry's framing. */
    static final int INDEX_ENTRY_BYTES = 32;

    /**
     * What an LSM tree holds: its memtables at the most, its block cache, and its tables' index
     * and filter blocks, estimated from the bytes in its tables ({@link #indexAndFilterBytes}).
     */
    static Map<String, Long> lsmMemory(LsmStore lsm, int entryBytes) {
        LsmStore.Stats s = lsm.stats();
        LsmOptions o = lsm.options();
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("memtables", o.memtableBytes() * (1 + o.maxImmutableMemtables()));
        m.put("blockCache", s.blockCache() == null ? 0 : o.blockCacheBytes());
        m.put("indexAndFilters", indexAndFilterBytes(s.tableBytes(), entryBytes));
        return m;
    }

    /**
     * The hybrid's options under {@code budget}. The B+tree holds only the keys the router moves
     * there, so its pool is sized for the hot set it may hold ({@link #POOL_SHARE} of the budget)
     * and the router may move no more keys than the pool holds at half-full pages
     * ({@code maxHotKeys}); the record cache gets {@link #RECORD_CACHE_SHARE}; the LSM tree, which
     * holds every other key, gets three memtables of a sixteenth each, its index and filter
     * blocks, and the rest as its block cache. When the whole data set fits in
     * {@link #IN_MEMORY_POOL_SHARE} of the budget as B+tree pages (two-thirds full), there is no
     * cold set to keep: the pool gets that room, the router may move every key, the LSM tree the
     * smallest memtables and the rest as its block cache, and there is no record cache (the pool
     * is the cache then; a record cache in front of it hit 7% of the gets and cost more than it saved).
     */
    static HybridOptions hybridOptions(
            long budget, SyncMode sync, int entryBytes, long dataBytes, List<dev.storagelab.kv.Bytes> ranges) {
        int page = BTreeOptions.defaults().pageSize();
        long wholeSet = dataBytes * 3 / 2;
        boolean fits = wholeSet <= budget * IN_MEMORY_POOL_SHARE / 100;
        int frames = (int) Math.max(MIN_FRAMES, (fits ? wholeSet : budget * POOL_SHARE / 100) / page);
        int maxHot = (int) Math.max(1, fits ? 2 * dataBytes / entryBytes : (long) frames * page / 2 / entryBytes);
        int trackerWidth = trackerWidth(budget);
        long tracker = new AccessTracker(trackerWidth, TRACKER_SAMPLE).memoryBytes();
        long memtable = fits ? MIN_MEMTABLE : Math.max(MIN_MEMTABLE, budget / 16);
        long lsmFixed = MEMTABLES * memtable + indexAndFilterReserve(dataBytes, entryBytes);
        // with every key in the pool, a record cache in front of it only adds its bookkeeping
        long cacheBytes = fits ? 0 : budget * RECORD_CACHE_SHARE / 100;
        int cacheEntries = (int) Math.min(1 << 20, cacheBytes / (entryBytes + CACHE_ENTRY_OVERHEAD));
        long blockCache = budget
                - (long) frames * page
                - (long) cacheEntries * (entryBytes + CACHE_ENTRY_OVERHEAD)
                - tracker
                - lsmFixed;
        HybridOptions.Builder b = HybridOptions.defaults().toBuilder()
                .syncMode(sync)
                .checkpointLogBytes(CHECKPOINT_LOG_BYTES)
                .cache("arc", cacheEntries)
                .maxDirtyEntries(Math.max(16, cacheEntries / 16))
                .tracker(trackerWidth, TRACKER_SAMPLE)
                .btree(BTreeOptions.defaults().withPoolFrames(frames))
                .maxHotKeys(maxHot)
                .lsm(lsmOptions(memtable, blockCache))
                .newKeysHot(fits) // the whole set fits in the pool: every key starts there, as in 2-Tree
                .considerEvery(CONSIDER_EVERY)
                .settledBackoff(SETTLED_BACKOFF)
                .migrationBudget(MIGRATIONS_PER_SECOND, 2 * MIGRATIONS_PER_SECOND);
        if (ADAPTIVE) {
            // one compaction style per key range: the e-commerce store's orders, prices and stock
            b.adaptiveCompaction(() -> new AdaptiveCompaction(
                    ranges, new TimeWindowCompaction(KeyTime.decimalAt(ORDER_TIME_OFFSET, 10), TIME_WINDOW_ORDERS)));
        }
        return b.build();
    }

    /**
     * The hybrid's tracker width: the widest sketch rows, up to {@link #MAX_TRACKER_WIDTH} counters,
     * whose tracker takes at most {@link #TRACKER_BUDGET_DIVISOR the sixteenth} of the budget. Its
     * counts only have to tell apart the keys near the hot set's edge, and every byte it holds is
     * one the block cache or the pool does not. At 2<sup>14</sup> counters a row it held 514 KiB of
     * a 4 MiB budget; at a quarter of that, the counters a read updates stay in the processor's
     * caches beside the pool's pages, and the in-memory cell's gets took 7% less time (notes §7.15).
     */
    static int trackerWidth(long budget) {
        int width = MAX_TRACKER_WIDTH;
        while (width > MIN_TRACKER_WIDTH
                && new AccessTracker(width, TRACKER_SAMPLE).memoryBytes() > budget / TRACKER_BUDGET_DIVISOR) {
            width /= 2;
        }
        return width;
    }

    static final int MAX_TRACKER_WIDTH = 1 << 14;
    static final int MIN_TRACKER_WIDTH = 1 << 10;
    static final int TRACKER_BUDGET_DIVISOR = 16;
    /** Accesses per tracker window: its counts halve after this many. */
    static final int TRACKER_SAMPLE = 10 << 16;

    /** Percent of the hybrid's budget for the B+tree's pool: the hot set's pages. */
    static final int POOL_SHARE = 25;
    /** Percent of the hybrid's budget its B+tree's pool may take when the whole data set fits in it. */
    static final int IN_MEMORY_POOL_SHARE = 80;
    /** Percent of the hybrid's budget for its record cache. */
    static final int RECORD_CACHE_SHARE = 12;

    /**
     * The router is asked after one access in this many: a key hot enough to be worth a move is
     * accessed often enough to be asked about soon, and the question (the tracker's estimate, two
     * to four cost evaluations, a look-up of the move time for a key that would move) is then paid
     * on an eighth of the accesses.
     */
    static final int CONSIDER_EVERY = 8;
    /**
     * While its placement is settled, the hybrid thins the router's questions and the tracker's
     * read counts by up to 2<sup>3</sup> more ({@link HybridOptions#settledBackoff()}): one access
     * in 64 is then asked about. In the in-memory cell, where every key is already in the B+tree,
     * the per-access bookkeeping was most of what the hybrid paid over the B+tree (notes §7.15).
     */
    static final int SETTLED_BACKOFF = 3;
    /**
     * The hybrid's migration budget: five times the default's 200 a second, so that a hot set of
     * thousands of keys is placed within the arena's warm-up; the herd guard (a bucket, a burst)
     * stays.
     */
    static final int MIGRATIONS_PER_SECOND = 1_000;
    /**
     * Whether the hybrid's LSM tree compacts each key range in its own style (§7.8). On. It was
     * off while the classifier took any range written in key order for time-ordered appends:
     * loaded in key order, the order range ({@code order/CUSTOMER/ORDER}, its time the order's
     * number) got time windows over keys whose time jumps back at every customer, every table was
     * cut at nearly every key, and a run stalled writes for minutes. Now a write counts as an
     * append in time only if its time, too, follows the key written a few hundred writes before,
     * and a range written in key order whose time does not follow is leveled (trivial moves): the
     * load stays leveled, the scattered order inserts of the mix go tiered, and no range of this
     * store gets time windows (ArenaTest, and lab-07's KeyOrderLoadTest, which counts the bytes).
     */
    static final boolean ADAPTIVE = true;
    /** Where an e-commerce order key's number (its time) starts: {@code order/CUSTOMER/ORDER}. */
    static final int ORDER_TIME_OFFSET = "order/0000000000/".length();
    /** Orders per time window, should adaptive compaction find a range written in time order. */
    static final long TIME_WINDOW_ORDERS = 50_000;

    /** Queued moves at most for the hybrid to count as settled: the router keeps finding a few keys near its thresholds. */
    static final int SETTLED_QUEUE = 16;
    /** Readings of the hot set that must agree for the hybrid to count as settled. */
    static final int SETTLE_INTERVALS = 4;
    /** The hot set's change over those readings, as a fraction of it, that still counts as settled. */
    static final double SETTLED_HOT_CHANGE = 0.01;

    /** A record cache entry's bytes beyond its key and value: the map entry, the policy's node, the objects' headers. */
    static final int CACHE_ENTRY_OVERHEAD = 96;

    private static ArenaOpened openHybrid(DeviceStorage storage, HybridOptions options, int entryBytes)
            throws IOException {
        HybridStore hybrid = HybridStore.open(storage, options);
        long pool = (long) options.btree().poolFrames() * options.btree().pageSize();
        return new ArenaOpened(
                hybrid,
                String.format(
                        Locale.ROOT,
                        "B+tree pool %s, 3 memtables of %s, block cache %s," + " record cache %,d entries, tracker",
                        Arena.size(pool),
                        Arena.size(options.lsm().memtableBytes()),
                        Arena.size(options.lsm().blockCacheBytes()),
                        options.cacheEntries())) {
            @Override
            public Map<String, Long> memory() {
                Map<String, Long> m = new LinkedHashMap<>();
                m.put("bufferPool", pool);
                lsmMemory(hybrid.lsm(), entryBytes).forEach((k, v) -> m.put("lsm." + k, v));
                m.put("recordCache", (long) options.cacheEntries() * (entryBytes + CACHE_ENTRY_OVERHEAD));
                m.put("tracker", hybrid.stats().trackerBytes());
                return m;
            }

            /** The hot keys at the last {@link #SETTLE_INTERVALS} readings, oldest first. */
            private final java.util.ArrayDeque<Long> hot = new java.util.ArrayDeque<>();

            /**
             * Placement has settled when few moves are queued and the hot set has grown or shrunk by
             * at most {@link #SETTLED_HOT_CHANGE} over the last {@link #SETTLE_INTERVALS} intervals; and
             * compaction owes less than a level 1's worth.
             */
            @Override
            public boolean settled() {
                long now = hybrid.stats().hotKeys();
                hot.addLast(now);
                if (hot.size() > SETTLE_INTERVALS) {
                    hot.removeFirst();
                }
                boolean placed = hot.size() == SETTLE_INTERVALS
                        && Math.abs(now - hot.peekFirst())
                                <= Math.max(SETTLED_QUEUE, (long) (SETTLED_HOT_CHANGE * now));
                return placed
                        && hybrid.queuedMigrations() <= SETTLED_QUEUE
                        && hybrid.lsm().pendingCompactionBytes()
                                < hybrid.lsm().options().level1Bytes();
            }

            @Override
            public Map<String, Long> counts() {
                var s = hybrid.stats();
                return Map.of(
                        "migrations",
                        s.migrations(),
                        "migrationsDeferred",
                        s.migrationsDeferred(),
                        "hotKeys",
                        s.hotKeys(),
                        "cacheHits",
                        s.cacheHits(),
                        "cacheMisses",
                        s.cacheMisses());
            }

            /** The keys in the B+tree now, and with adaptive compaction each key range's style. */
            @Override
            public Map<String, String> state() {
                Map<String, String> m = new LinkedHashMap<>();
                m.put("hotKeys", Long.toString(hybrid.stats().hotKeys()));
                m.put("samplingBackoff", Integer.toString(hybrid.samplingBackoff()));
                AdaptiveCompaction adaptive = hybrid.adaptiveCompaction();
                if (adaptive != null) {
                    for (AdaptiveCompaction.RangeStats r : adaptive.stats()) {
                        m.put(
                                "range " + (r.lo() == null ? "start" : r.lo().toUtf8()),
                                r.style().name().toLowerCase(Locale.ROOT));
                    }
                }
                m.putAll(lsmState(hybrid.lsm(), "lsm."));
                return m;
            }

            @Override
            public void close() throws IOException {
                hybrid.close();
            }
        };
    }

    private static ScheduledThreadPoolExecutor daemon(String name) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }
}
