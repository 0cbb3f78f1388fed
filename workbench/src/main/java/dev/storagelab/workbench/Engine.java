package dev.storagelab.workbench;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.bst.AvlMap;
import dev.storagelab.bst.BstMap;
import dev.storagelab.bst.SkipListMap;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.btree.BufferPool;
import dev.storagelab.btree.TreeDump;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.StoreMetrics;
import dev.storagelab.kvstore.KvOptions;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engines of the workspace that workloads and the shell can drive, by name. The list grows as
 * labs land: each lab that ships an engine adds a constant here. Production peers register through
 * {@link EngineFactory} instead ({@link Engines#all()}).
 */
public enum Engine implements EngineFactory {
    SORTEDLOG(
            "sortedlog",
            "lab-01: the sorted-log store (write-ahead log, memtable, segments, compaction), on disk",
            true),
    BTREE(
            "btree",
            "lab-04: the disk B+tree (4 KiB pages, buffer pool of 1024 frames, LRU-2), checkpointed on sync",
            true),
    BTREE_16M(
            "btree-16m",
            "lab-04: the disk B+tree with a buffer pool of 4096 frames (16 MiB, H2's default cache);"
                    + " otherwise as btree",
            true),
    LSM(
            "lsm",
            "lab-05: the LSM tree (4 MiB memtables, leveled compaction, 10-bit Bloom filters, 8 MiB block cache), log forced on sync",
            true),
    LSM_TIERED(
            "lsm-tiered",
            "lab-05: the LSM tree with size-tiered compaction instead of leveled (otherwise as lsm)",
            true),
    KV(
            "kv",
            "lab-06: the crash-safe store over the lab-04 B+tree: write-ahead log (group commit), MVCC snapshot-isolation"
                    + " transactions, a checkpoint every 64 MiB of log",
            true),
    KV_LSM(
            "kv-lsm",
            "lab-06: the crash-safe store over the lab-05 LSM tree (its own log off, old versions dropped by"
                    + " compaction; otherwise as kv)",
            true),
    HYBRID(
            "hybrid",
            "lab-07: the hybrid, each key where the cost model says it costs least: hot keys in the lab-04 B+tree,"
                    + " cold ones in the lab-05 LSM tree, behind one lab-06 log (forced on sync), an ARC cache in front",
            true),
    HYBRID_SIMPLE(
            "hybrid-simple",
            "lab-07: the episode's naive hybrid, the baseline of the failure modes: per-key counters,"
                    + " fixed thresholds, inline moves, an LRU cache; sync forces the LSM tree's log and checkpoints the B+tree",
            true),
    AVL("avl", "lab-03: the AVL tree, in memory (nothing is durable)", false),
    SKIPLIST("skiplist", "lab-03: the skip list, in memory (nothing is durable)", false),
    BST("bst", "lab-03: the unbalanced binary search tree, in memory: try it on sequential keys", false);

    private final String id;
    private final String description;
    private final boolean onDisk;

    Engine(String id, String description, boolean onDisk) {
        this.id = id;
        this.description = description;
        this.onDisk = onDisk;
    }

    /** {@code btree-16m}'s pool: 16 MiB of 4 KiB frames, the memory of H2's default page cache (the {@code h2} peer). */
    static final int BTREE_16M_FRAMES = 4096;

    /** The peers' names, for a helpful message when they were not built. */
    static final List<String> PEERS = List.of("rocksdb", "leveldb", "h2", "lmdb");

    @Override
    public String id() {
        return id;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public boolean onDisk() {
        return onDisk;
    }

    /** The lab-06 stores: the shell's {@code begin} and the {@code bank} workload run transactions on them. */
    @Override
    public boolean transactional() {
        return this == KV || this == KV_LSM;
    }

    /** lab-07's engines, which place keys in tiers: the shell's {@code where}, {@code tiers} and {@code move} work on them. */
    public boolean routed() {
        return this == HYBRID || this == HYBRID_SIMPLE;
    }

    @Override
    public Handle open(Path dir) throws IOException {
        return switch (this) {
            case SORTEDLOG -> {
                SortedLogStore store = SortedLogStore.open(DiskStorage.open(dir));
                yield new Handle(this, OrderedStore.of(store)) {
                    @Override
                    public Object underlying() {
                        return store;
                    }

                    @Override
                    public Map<String, Long> counts() {
                        StoreMetrics.Snapshot m = store.metrics().snapshot();
                        Map<String, Long> c = storeCounts(m);
                        c.put(Counters.BLOCK_READS, m.blocksRead());
                        c.put(Counters.FLUSHES, m.flushes());
                        c.put(Counters.COMPACTIONS, m.compactions());
                        c.put(Counters.WRITE_STALLS, m.writeStalls());
                        return c;
                    }

                    @Override
                    public Map<String, Object> gauges() throws IOException {
                        Map<String, Object> g = new LinkedHashMap<>();
                        g.put(Counters.SEGMENTS, store.segmentNames().size());
                        g.put(Counters.BYTES_ON_DISK, Counters.bytesOnDisk(dir));
                        return g;
                    }

                    @Override
                    public String dump(boolean dot) {
                        return String.join("\n", store.describeSegments()) + "\n";
                    }

                    @Override
                    public void flush() throws IOException {
                        store.flush();
                    }

                    @Override
                    public void compact() throws IOException {
                        store.compact();
                    }
                };
            }
            case BTREE, BTREE_16M -> {
                BTreeOptions options = this == BTREE_16M
                        ? BTreeOptions.defaults().withPoolFrames(BTREE_16M_FRAMES)
                        : BTreeOptions.defaults();
                BPlusTree tree = BPlusTree.open(DiskStorage.open(dir), options);
                yield new Handle(this, tree) {
                    @Override
                    public Map<String, Long> counts() {
                        Map<String, Long> c = storeCounts(tree.metrics());
                        BufferPool.PoolStats pool = tree.poolStats();
                        c.put(Counters.PAGE_READS, pool.misses()); // every miss reads the page from the file
                        c.put(Counters.PAGE_WRITES, pool.pageWrites());
                        c.put(Counters.CACHE_HITS, pool.hits());
                        c.put(Counters.CACHE_MISSES, pool.misses());
                        return c;
                    }

                    @Override
                    public Map<String, Object> gauges() throws IOException {
                        TreeDump.Stats s = TreeDump.stats(tree); // walks the tree through the pool
                        Map<String, Object> g = new LinkedHashMap<>();
                        g.put(Counters.KEYS, s.entries());
                        g.put(Counters.HEIGHT, s.height());
                        g.put(Counters.LEAF_FILL, s.leafFill());
                        g.put(Counters.BYTES_ON_DISK, Counters.bytesOnDisk(dir));
                        return g;
                    }

                    @Override
                    public String dump(boolean dot) throws IOException {
                        return dot ? TreeDump.dot(tree) : TreeDump.text(tree);
                    }

                    @Override
                    public void flush() throws IOException {
                        tree.checkpoint();
                    }
                };
            }
            case LSM, LSM_TIERED -> {
                LsmStore store = LsmStore.open(
                        DiskStorage.open(dir),
                        LsmOptions.defaults()
                                .withCompaction(
                                        this == LSM
                                                ? LsmOptions.CompactionStyle.LEVELED
                                                : LsmOptions.CompactionStyle.TIERED));
                yield new Handle(this, store) {
                    @Override
                    public Map<String, Long> counts() {
                        LsmStore.Stats s = store.stats();
                        StoreMetrics.Snapshot m = s.metrics();
                        Map<String, Long> c = storeCounts(m);
                        c.put(Counters.BLOCK_READS, s.blockReads()); // gets and scans only
                        c.put(Counters.COMPACTION_BLOCK_READS, s.compactionBlockReads());
                        c.put(Counters.FLUSHES, m.flushes());
                        c.put(Counters.COMPACTIONS, m.compactions());
                        c.put(Counters.WRITE_STALLS, m.writeStalls());
                        c.put(Counters.FILTER_SKIPS, s.filterSkips());
                        if (s.blockCache() != null) {
                            c.put(Counters.CACHE_HITS, s.blockCache().hits());
                            c.put(Counters.CACHE_MISSES, s.blockCache().misses());
                        }
                        return c;
                    }

                    @Override
                    public Map<String, Object> gauges() throws IOException {
                        LsmStore.Stats s = store.stats();
                        Map<String, Object> g = new LinkedHashMap<>();
                        g.put(Counters.TABLES_PER_LEVEL, java.util.Arrays.toString(s.filesPerLevel()));
                        g.put(Counters.BYTES_PER_LEVEL, java.util.Arrays.toString(s.bytesPerLevel()));
                        g.put(Counters.BYTES_ON_DISK, Counters.bytesOnDisk(dir));
                        store.waitForCompactions(); // then the tree once compaction has settled
                        LsmStore.Stats settled = store.stats();
                        g.put(Counters.BYTES_PER_LEVEL_SETTLED, java.util.Arrays.toString(settled.bytesPerLevel()));
                        Map<String, Long> sinceOpen = counts();
                        long user = sinceOpen.getOrDefault(Counters.USER_BYTES_WRITTEN, 0L);
                        if (user > 0) {
                            g.put(
                                    Counters.WRITE_AMPLIFICATION_SETTLED,
                                    (double) sinceOpen.getOrDefault(Counters.DISK_BYTES_WRITTEN, 0L) / user);
                        }
                        return g;
                    }

                    @Override
                    public String dump(boolean dot) {
                        return store.describeLevels();
                    }

                    @Override
                    public void flush() throws IOException {
                        store.flush();
                    }

                    @Override
                    public void compact() throws IOException {
                        store.compactAll();
                    }
                };
            }
            case KV -> KvHandle.open(this, dir, KvOptions.defaults().withEngine(KvOptions.EngineKind.BTREE));
            case KV_LSM -> KvHandle.open(this, dir, KvOptions.defaults().withEngine(KvOptions.EngineKind.LSM));
            case HYBRID -> HybridHandle.open(this, dir);
            case HYBRID_SIMPLE -> SimpleHybridHandle.open(this, dir);
            case AVL -> mapHandle(new AvlMap<>(), true);
            case SKIPLIST -> mapHandle(new SkipListMap<>(), false);
            case BST -> mapHandle(new BstMap<>(), true);
        };
    }

    private Handle mapHandle(
            java.util.NavigableMap<dev.storagelab.kv.Bytes, dev.storagelab.kv.Bytes> map, boolean locked) {
        MapStore store = new MapStore(map, locked);
        return new Handle(this, store) {
            @Override
            public Map<String, Long> counts() {
                return Map.of(); // nothing reaches a disk
            }

            @Override
            public Map<String, Object> gauges() {
                Map<String, Object> g = new LinkedHashMap<>();
                g.put(Counters.KEYS, map.size());
                if (map instanceof BstMap<?, ?> bst) {
                    g.put(Counters.HEIGHT, bst.height());
                }
                return g;
            }

            @Override
            public String dump(boolean dot) {
                return map.size() + " keys in memory"
                        + (map instanceof BstMap<?, ?> bst ? ", height " + bst.height() : "") + "\n";
            }
        };
    }

    /** The counts every engine built on {@link StoreMetrics} keeps. */
    private static Map<String, Long> storeCounts(StoreMetrics.Snapshot m) {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put(Counters.USER_BYTES_WRITTEN, m.userBytesWritten());
        c.put(Counters.DISK_BYTES_WRITTEN, m.diskBytesWritten());
        c.put(Counters.DISK_BYTES_READ, m.diskBytesRead());
        c.put(Counters.DISK_READS, m.diskReads());
        c.put(Counters.FORCES, m.forces());
        return c;
    }

    /** An open engine: its store, and what it can say about itself. */
    public abstract static class Handle implements AutoCloseable {
        private final EngineFactory engine;
        private final OrderedStore store;

        protected Handle(EngineFactory engine, OrderedStore store) {
            this.engine = engine;
            this.store = store;
        }

        public EngineFactory engine() {
            return engine;
        }

        public OrderedStore store() {
            return store;
        }

        /**
         * The engine behind {@link #store()}: the store itself, or the one an adapter wraps (the
         * sorted log behind {@code OrderedStore.of}), for what needs the engine's own type (its
         * events).
         */
        public Object underlying() {
            return store;
        }

        /**
         * The engine's counts since it was opened, by the names of {@link Counters}: bytes written
         * by users and to disk, disk and page reads, cache hits and misses, ... Each only grows
         * while the engine is open, so the difference of two readings is what happened between
         * them. Empty for an engine that counts nothing (the in-memory maps). Ratios are not
         * counts: {@link Counters#withRatios} derives them.
         */
        public abstract Map<String, Long> counts() throws IOException;

        /**
         * The engine's gauges now, by the names of {@link Counters}: tree height, leaf fill,
         * segments, keys, ... Reading them may itself read pages (the B+tree walks its tree), so
         * read {@link #counts()} first.
         */
        public abstract Map<String, Object> gauges() throws IOException;

        /** The engine's structure: the B+tree as text or DOT, the segments of the sorted log. */
        public abstract String dump(boolean dot) throws IOException;

        /** Makes the memtable a segment (sorted log) or takes a checkpoint (B+tree, kv). */
        public void flush() throws IOException {
            store.sync();
        }

        /** Compacts (sorted log, LSM tree) or collects old versions (kv); the other engines have nothing to compact. */
        public void compact() throws IOException {
            throw new UnsupportedOperationException(engine.id() + " has nothing to compact");
        }

        @Override
        public void close() throws IOException {
            store.close();
        }
    }
}
