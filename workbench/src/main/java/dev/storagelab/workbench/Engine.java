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

    SORTEDLOG("sortedlog", "lab-01: the sorted-log store (write-ahead log, memtable, segments, compaction), on disk", true),
    BTREE("btree", "lab-04: the disk B+tree (4 KiB pages, buffer pool of 1024 frames, LRU-2), checkpointed on sync", true),
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

    /** The peers' names, for a helpful message when they were not built. */
    static final List<String> PEERS = List.of("rocksdb", "leveldb", "h2");

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

    @Override
    public Handle open(Path dir) throws IOException {
        return switch (this) {
            case SORTEDLOG -> {
                SortedLogStore store = SortedLogStore.open(DiskStorage.open(dir));
                yield new Handle(this, OrderedStore.of(store)) {
                    @Override
                    public Map<String, Object> counters() {
                        Map<String, Object> c = metricCounters(store.metrics().snapshot());
                        c.put("segments", store.segmentNames().size());
                        return c;
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
            case BTREE -> {
                BPlusTree tree = BPlusTree.open(DiskStorage.open(dir), BTreeOptions.defaults());
                yield new Handle(this, tree) {
                    @Override
                    public Map<String, Object> counters() throws IOException {
                        StoreMetrics.Snapshot m = tree.metrics();
                        Map<String, Object> c = metricCounters(m);
                        BufferPool.PoolStats pool = tree.poolStats();
                        c.put("page_reads", pool.misses());
                        c.put("page_reads_per_get", m.gets() == 0 ? Double.NaN : (double) pool.misses() / m.gets());
                        c.put("cache_hit_rate", pool.hitRate());
                        c.put("page_writes", pool.pageWrites());
                        TreeDump.Stats s = TreeDump.stats(tree);
                        c.put("height", s.height());
                        c.put("leaf_fill", s.leafFill());
                        return c;
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
            case AVL -> mapHandle(new AvlMap<>(), true);
            case SKIPLIST -> mapHandle(new SkipListMap<>(), false);
            case BST -> mapHandle(new BstMap<>(), true);
        };
    }

    private Handle mapHandle(java.util.NavigableMap<dev.storagelab.kv.Bytes, dev.storagelab.kv.Bytes> map, boolean locked) {
        MapStore store = new MapStore(map, locked);
        return new Handle(this, store) {
            @Override
            public Map<String, Object> counters() {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("keys", map.size());
                if (map instanceof BstMap<?, ?> bst) {
                    c.put("height", bst.height());
                }
                return c;
            }

            @Override
            public String dump(boolean dot) {
                return map.size() + " keys in memory" + (map instanceof BstMap<?, ?> bst ? ", height " + bst.height() : "")
                        + "\n";
            }
        };
    }

    private static Map<String, Object> metricCounters(StoreMetrics.Snapshot m) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("user_bytes_written", m.userBytesWritten());
        c.put("disk_bytes_written", m.diskBytesWritten());
        c.put("write_amplification", m.writeAmplification());
        c.put("disk_bytes_read", m.diskBytesRead());
        c.put("disk_reads", m.diskReads());
        c.put("forces", m.forces());
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

        /** The engine's own counters (bytes written to disk and by users, page reads, hit rates, ...). */
        public abstract Map<String, Object> counters() throws IOException;

        /** The engine's structure: the B+tree as text or DOT, the segments of the sorted log. */
        public abstract String dump(boolean dot) throws IOException;

        /** Makes the memtable a segment (sorted log) or takes a checkpoint (B+tree). */
        public void flush() throws IOException {
            store.sync();
        }

        /** Compacts (sorted log); the other engines have nothing to compact. */
        public void compact() throws IOException {
            throw new UnsupportedOperationException(engine.id() + " has nothing to compact");
        }

        @Override
        public void close() throws IOException {
            store.close();
        }
    }
}
