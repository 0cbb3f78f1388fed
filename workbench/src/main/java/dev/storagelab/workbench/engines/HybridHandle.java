package dev.storagelab.workbench.engines;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BufferPool;
import dev.storagelab.btree.TreeDump;
import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.HybridStats;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.Placement;
import dev.storagelab.hybrid.TokenBucket;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.wal.SyncMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * lab-07's {@link HybridStore} as the workbench engine {@code hybrid}: hot keys in the lab-04
 * B+tree, cold ones in the lab-05 LSM tree, behind lab-06's write-ahead log, with the default
 * cache, tracker, cost model and router ({@link HybridOptions#defaults()}). The log runs with
 * {@link SyncMode#NONE} and is forced by {@code sync()}: durable on sync, the promise of the
 * workbench's {@code lsm}. Its counts are the store's ({@link HybridStats}) beside its two engines';
 * its gauges say where the keys and bytes are; the shell's {@code flush} takes a checkpoint and
 * {@code where}, {@code tiers} and {@code move} speak to it ({@link #where}, {@link #tiers},
 * {@link #move}).
 */
public final class HybridHandle extends Engine.Handle implements RoutedHandle {

    private final HybridStore hybrid;
    private final Path dir;

    private HybridHandle(EngineFactory engine, HybridStore hybrid, Path dir) {
        super(engine, hybrid);
        this.hybrid = hybrid;
        this.dir = dir;
    }

    /** The workbench's options: the defaults, with the log forced on {@code sync()} only. */
    static HybridOptions options() {
        return HybridOptions.defaults().toBuilder().syncMode(SyncMode.NONE).build();
    }

    /** Opens the store in {@code dir} (its archive tier under {@code dir/archive}) with {@link #options()}. */
    static HybridHandle open(EngineFactory engine, Path dir) throws IOException {
        return new HybridHandle(engine, HybridStore.open(dir, options()), dir);
    }

    public HybridStore hybrid() {
        return hybrid;
    }

    @Override
    public Map<String, Long> counts() {
        HybridStats s = stats();
        Map<String, Long> c = new LinkedHashMap<>();
        c.put(Counters.USER_BYTES_WRITTEN, s.userBytesWritten());
        c.put(
                Counters.DISK_BYTES_WRITTEN,
                s.deviceBytesWritten()); // the log, both engines, the moves, the routing table
        c.put(Counters.MIGRATIONS, s.migrations());
        c.put(Counters.MIGRATIONS_DEFERRED, s.migrationsDeferred());
        c.put(Counters.CACHE_HITS, s.cacheHits());
        c.put(Counters.CACHE_MISSES, s.cacheMisses());
        BufferPool.PoolStats pool = hybrid.tree().poolStats();
        c.put(Counters.PAGE_READS, pool.misses()); // the hot tier's reads: the B+tree's pool misses
        c.put(Counters.PAGE_WRITES, pool.pageWrites());
        LsmStore.Stats lsm = hybrid.lsm().stats();
        c.put(Counters.BLOCK_READS, lsm.blockReads()); // the cold tier's
        c.put(Counters.FLUSHES, lsm.metrics().flushes());
        c.put(Counters.COMPACTIONS, lsm.metrics().compactions());
        c.put(Counters.FILTER_SKIPS, lsm.filterSkips());
        return c;
    }

    @Override
    public Map<String, Object> gauges() throws IOException {
        HybridStats s = stats();
        Map<String, Object> g = new LinkedHashMap<>();
        g.put(Counters.HOT_KEYS, s.hotKeys());
        g.put(Counters.DUPLICATE_KEYS, s.duplicateKeys());
        g.put(Counters.TRACKER_BYTES, s.trackerBytes());
        g.put(Counters.CACHE_ENTRIES, s.cacheEntries());
        g.put(Counters.HOT_BYTES, s.hotBytes());
        g.put(Counters.COLD_BYTES, s.coldBytes());
        g.put(Counters.ARCHIVE_BYTES, s.archiveBytes());
        g.put(Counters.QUEUED_MIGRATIONS, hybrid.queuedMigrations());
        g.put(Counters.MIGRATION_TOKENS, hybrid.migrationBudget().available());
        g.put(Counters.WRITE_AMPLIFICATION_SINCE_OPEN, s.writeAmplification());
        g.put(Counters.CACHE_HIT_RATE_SINCE_OPEN, s.cacheHitRate());
        g.put(Counters.TABLES_PER_LEVEL, Arrays.toString(hybrid.lsm().stats().filesPerLevel()));
        g.put(Counters.BYTES_ON_DISK, Counters.bytesOnDisk(dir));
        return g;
    }

    /**
     * The store's statistics. {@link HybridStore#stats()} sizes the files it lists, and a table the
     * LSM tree's compaction deletes in between makes it throw (a workload on 1M keys failed so); the
     * sizes are read again then, up to five times, since a run must not fail over a file that is gone.
     */
    private HybridStats stats() {
        for (int attempt = 1; ; attempt++) {
            try {
                return hybrid.stats();
            } catch (java.io.UncheckedIOException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** The store's routing and queue, then the B+tree (the hot tier) as text, then the LSM tree's levels; with {@code dot}, the B+tree's DOT. */
    @Override
    public String dump(boolean dot) throws IOException {
        BPlusTree tree = hybrid.tree();
        if (dot) {
            return TreeDump.dot(tree);
        }
        return hybrid + "\nhot tier, the B+tree:\n" + TreeDump.text(tree) + "cold tier, the LSM tree:\n"
                + hybrid.lsm().describeLevels();
    }

    /** A checkpoint: the cache flushed, both engines and the routing table durable, the log truncated. */
    @Override
    public void flush() throws IOException {
        hybrid.checkpoint();
    }

    /** Compacts every level of the cold tier's LSM tree into the next. */
    @Override
    public void compact() throws IOException {
        hybrid.lsm().compactAll();
    }

    /** The shell's {@code where KEY}: the key's tier and route, the tracker's estimate and both placements' costs. */
    @Override
    public String where(Bytes key) throws IOException {
        return hybrid.explain(key).toString();
    }

    /** The shell's {@code tiers}: each tier's size, the cache's hit rate, the migrations and their budget. */
    @Override
    public String tiers() {
        HybridStats s = stats();
        TokenBucket bucket = hybrid.migrationBudget();
        return String.format(
                Locale.ROOT,
                """
                        cache    %,d entries, hit rate %s (%,d hits, %,d misses)
                        hot      %,d keys routed to the B+tree, %,d bytes
                        cold     %,d bytes in the LSM tree on fast storage
                        archive  %,d bytes in the LSM tree on the archive device
                        both     %,d keys with a copy in both engines (moves waiting for a checkpoint)
                        moves    %,d done, %,d deferred, %,d queued; budget %s of %d tokens, %s/s
                        tracker  %,d bytes
                        write amplification %s since opened (%,d bytes written for %,d user bytes)""",
                s.cacheEntries(),
                Counters.format(s.cacheHits() + s.cacheMisses() == 0 ? Double.NaN : s.cacheHitRate()),
                s.cacheHits(),
                s.cacheMisses(),
                s.hotKeys(),
                s.hotBytes(),
                s.coldBytes(),
                s.archiveBytes(),
                s.duplicateKeys(),
                s.migrations(),
                s.migrationsDeferred(),
                hybrid.queuedMigrations(),
                tokens(bucket),
                bucket.burst(),
                Counters.format(bucket.perSecond()),
                s.trackerBytes(),
                Counters.format(s.userBytesWritten() == 0 ? Double.NaN : s.writeAmplification()),
                s.deviceBytesWritten(),
                s.userBytesWritten());
    }

    /** The shell's {@code move KEY hot|cold}: moves the key now, whatever the router and the token budget say. */
    @Override
    public String move(Bytes key, String where) throws IOException {
        Placement target = switch (where.toLowerCase(Locale.ROOT)) {
            case "hot" -> Placement.HOT;
            case "cold" -> Placement.COLD;
            default ->
                throw new IllegalArgumentException(
                        "move to hot (the B+tree) or cold (the LSM tree), not '" + where + "'");
        };
        String engine = target == Placement.HOT ? "hot (the B+tree)" : "cold (the LSM tree)";
        return hybrid.move(key, target)
                ? "moved to " + engine
                        + "; the old copy goes at the next checkpoint, and the router leaves the key there for at least "
                        + duration(hybrid.options().minResidency())
                : "already " + engine + ": nothing moved";
    }

    /** {@code d} as a person reads it: 30 min, 90 s, 250 ms. */
    static String duration(java.time.Duration d) {
        if (d.toMillis() % 60_000 == 0 && !d.isZero()) {
            return d.toMinutes() + " min";
        }
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String tokens(TokenBucket bucket) {
        return String.format(Locale.ROOT, "%.1f", bucket.available());
    }
}
