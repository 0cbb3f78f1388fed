package dev.storagelab.workbench.engines;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BufferPool;
import dev.storagelab.btree.TreeDump;
import dev.storagelab.kv.StoreMetrics;
import dev.storagelab.kvstore.KvOptions;
import dev.storagelab.kvstore.KvStore;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.wal.WalStats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * lab-06's {@link KvStore} as a workbench engine ({@code kv} over the B+tree, {@code kv-lsm} over
 * the LSM tree): its log's counts beside the engine's own, its transactions' gauges, and its
 * checkpoint as the shell's {@code flush}. Its store is a {@link CountingKvStore}, a
 * {@link dev.storagelab.mvcc.TransactionalStore}: the shell's {@code begin} and the {@code bank}
 * workload run transactions on it.
 */
public final class KvHandle extends Engine.Handle {

    private final CountingKvStore counting;
    private final KvStore kv;
    private final Path dir;

    private KvHandle(EngineFactory engine, CountingKvStore counting, Path dir) {
        super(engine, counting);
        this.counting = counting;
        this.kv = counting.kvStore();
        this.dir = dir;
    }

    /** Opens the store in {@code dir} with the options' engine, group commit and the default checkpoint interval. */
    static KvHandle open(EngineFactory engine, Path dir, KvOptions options) throws IOException {
        return new KvHandle(engine, new CountingKvStore(KvStore.open(dir, options)), dir);
    }

    /** The store (for its event listener). */
    public KvStore kvStore() {
        return kv;
    }

    /** The engine under the log: a {@link BPlusTree} or an {@link LsmStore}. */
    public Object engineStore() {
        return ((dev.storagelab.kvstore.Engine.Adapter) kv.writeAheadStore().engine()).unwrap();
    }

    @Override
    public Map<String, Long> counts() {
        KvStore.Stats s = kv.stats();
        WalStats wal = s.wal();
        Object engine = engineStore();
        LsmStore.Stats lsm = engine instanceof LsmStore store ? store.stats() : null;
        StoreMetrics.Snapshot m = lsm != null ? lsm.metrics() : ((BPlusTree) engine).metrics();
        Map<String, Long> c = new LinkedHashMap<>();
        c.put(Counters.USER_BYTES_WRITTEN, counting.userBytesWritten());
        c.put(
                Counters.DISK_BYTES_WRITTEN,
                wal.bytes() + m.diskBytesWritten()); // the log's and the engine's: written twice
        c.put(Counters.DISK_BYTES_READ, m.diskBytesRead());
        c.put(Counters.DISK_READS, m.diskReads());
        c.put(Counters.FORCES, wal.forces() + m.forces());
        c.put(Counters.ENGINE_BYTES_WRITTEN, m.userBytesWritten());
        c.put(Counters.LOG_RECORDS, wal.records());
        c.put(Counters.LOG_BYTES, wal.bytes());
        c.put(Counters.LOG_FORCES, wal.forces());
        c.put(Counters.COMMIT_GROUPS, wal.commitGroups());
        c.put(Counters.CHECKPOINTS, s.checkpoints());
        c.put(Counters.REPLAYED_RECORDS, s.replayedRecords());
        c.put(Counters.GC_VERSIONS_REMOVED, s.gc().versionsRemoved()); // the LSM tree's compaction filter included
        if (engine instanceof BPlusTree tree) {
            BufferPool.PoolStats pool = tree.poolStats();
            c.put(Counters.PAGE_READS, pool.misses());
            c.put(Counters.PAGE_WRITES, pool.pageWrites());
            c.put(Counters.CACHE_HITS, pool.hits());
            c.put(Counters.CACHE_MISSES, pool.misses());
        } else {
            c.put(Counters.BLOCK_READS, lsm.blockReads());
            c.put(Counters.FLUSHES, m.flushes());
            c.put(Counters.COMPACTIONS, m.compactions());
            c.put(Counters.WRITE_STALLS, m.writeStalls());
            c.put(Counters.FILTER_SKIPS, lsm.filterSkips());
            if (lsm.blockCache() != null) {
                c.put(Counters.CACHE_HITS, lsm.blockCache().hits());
                c.put(Counters.CACHE_MISSES, lsm.blockCache().misses());
            }
        }
        return c;
    }

    @Override
    public Map<String, Object> gauges() throws IOException {
        KvStore.Stats s = kv.stats();
        Map<String, Object> g = new LinkedHashMap<>();
        g.put(Counters.VISIBLE_TS, s.visibleTs());
        g.put(Counters.ACTIVE_TRANSACTIONS, s.activeTransactions());
        g.put(Counters.GC_WATERMARK, s.gcWatermark());
        Object engine = engineStore();
        if (engine instanceof BPlusTree tree) {
            TreeDump.Stats t = TreeDump.stats(tree); // walks the tree through the pool
            g.put(Counters.VERSIONS, t.entries());
            g.put(Counters.HEIGHT, t.height());
            g.put(Counters.LEAF_FILL, t.leafFill());
        } else {
            LsmStore.Stats l = ((LsmStore) engine).stats();
            g.put(Counters.TABLES_PER_LEVEL, java.util.Arrays.toString(l.filesPerLevel()));
            g.put(Counters.BYTES_PER_LEVEL, java.util.Arrays.toString(l.bytesPerLevel()));
        }
        g.put(Counters.BYTES_ON_DISK, Counters.bytesOnDisk(dir));
        if (s.maintenanceFailure() != null) {
            g.put(Counters.MAINTENANCE_FAILURE, String.valueOf(s.maintenanceFailure()));
        }
        return g;
    }

    /**
     * The store's state in a few lines, then the engine's structure (the B+tree's pages, whose keys
     * are versioned: the user key, then the commit timestamp; the LSM tree's levels). With
     * {@code dot}, the B+tree's Graphviz DOT alone.
     */
    @Override
    public String dump(boolean dot) throws IOException {
        Object engine = engineStore();
        if (dot) {
            if (engine instanceof BPlusTree tree) {
                return TreeDump.dot(tree);
            }
            throw new UnsupportedOperationException(
                    engine().id() + " has no DOT dump: its engine is the LSM tree (try dump)");
        }
        KvStore.Stats s = kv.stats();
        String head = String.format(
                "%s over the %s: visible timestamp %d, %d active transactions, GC watermark %d%n"
                        + "log: %s%ncheckpoints: %d since opened; %d records replayed at open; GC removed %d versions%n",
                engine().id(),
                s.engine().equals("btree") ? "B+tree" : "LSM tree",
                s.visibleTs(),
                s.activeTransactions(),
                s.gcWatermark(),
                s.wal(),
                s.checkpoints(),
                s.replayedRecords(),
                s.gc().versionsRemoved());
        return head + (engine instanceof BPlusTree tree ? TreeDump.text(tree) : ((LsmStore) engine).describeLevels());
    }

    /** Takes a checkpoint: the engine made durable, the log before it dropped. */
    @Override
    public void flush() throws IOException {
        kv.checkpoint();
    }

    /** A garbage-collection round; over the LSM tree, then every level compacted, its filter dropping old versions. */
    @Override
    public void compact() throws IOException {
        kv.collectGarbage();
        if (engineStore() instanceof LsmStore lsm) {
            lsm.compactAll();
        }
    }
}
