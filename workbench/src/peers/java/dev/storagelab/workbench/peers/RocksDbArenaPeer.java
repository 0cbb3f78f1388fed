package dev.storagelab.workbench.peers;

import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.workbench.arena.ArenaOpened;
import dev.storagelab.workbench.arena.ArenaPeer;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;
import org.rocksdb.WriteOptions;

/**
 * RocksDB held to the arena's terms, in the shape of the course's LSM tree in the arena (lab-05's
 * level sizes, tables, blocks and Bloom filters, no compression, one background job), so that
 * the comparison measures the code:
 * <ul>
 *   <li><b>memory</b>: three memtables of an eighth of the budget each ({@code write_buffer_size} ×
 *       {@code max_write_buffer_number}, as the course's LSM tree has them), and an LRU block cache of
 *       the rest that the tables' index and filter blocks are charged to
 *       ({@code cache_index_and_filter_blocks}): the sum is the budget. What it holds is read from
 *       its properties {@code rocksdb.block-cache-usage}, {@code rocksdb.cur-size-all-mem-tables}
 *       and {@code rocksdb.estimate-table-readers-mem}. Its transient I/O buffers (compaction
 *       readahead, direct-I/O write buffers) are outside the budget, as the course's engines' are;</li>
 *   <li><b>the log</b>: its WAL, never disabled; {@code every-write} and {@code group} sync it before a
 *       write returns ({@code WriteOptions.setSync(true)}: with the arena's one writer, a sync per
 *       write; with several, RocksDB's write group shares one, which is group commit), {@code none}
 *       writes each record to the operating system without forcing it ({@code setSync(false)}, the
 *       WAL's buffer flushed on every write), as the course's logs do;</li>
 *   <li><b>the page cache</b>: with direct I/O, {@code use_direct_reads} (every read of a table,
 *       compactions' included) and {@code use_direct_io_for_flush_and_compaction} (the tables
 *       flushes and compactions write, where the course's engines' writes stay buffered); the WAL
 *       stays buffered. The arena has already checked that the file system allows {@code O_DIRECT};</li>
 *   <li><b>the figures</b>: it does not write through the arena's device storage, so its bytes come
 *       from its statistics ({@link #WRITE_TICKERS}, {@link #READ_TICKERS}), and the result says so
 *       ({@link ArenaOpened#ownCounters()}).</li>
 * </ul>
 */
public final class RocksDbArenaPeer implements ArenaPeer {

    /** Memtables at once: the active one and two waiting for their flush, as the course's LSM tree in the arena. */
    static final int MEMTABLES = 3;
    /** The smallest memtable it gets. */
    static final long MIN_MEMTABLE = 64 << 10;

    /** The bytes written to files: the log, the flushes' tables, the compactions' tables. */
    static final TickerType[] WRITE_TICKERS = {TickerType.WAL_FILE_BYTES, TickerType.FLUSH_WRITE_BYTES,
        TickerType.COMPACT_WRITE_BYTES};
    /**
     * The bytes read from table files, by every reader that records statistics: gets, scans,
     * compactions' inputs (their tables were opened by the flush or compaction that wrote them,
     * which records), table opens.
     */
    static final TickerType[] READ_TICKERS = {TickerType.NON_LAST_LEVEL_READ_BYTES, TickerType.LAST_LEVEL_READ_BYTES};

    @Override
    public String id() {
        return "rocksdb";
    }

    @Override
    public long minBudget() {
        return (MEMTABLES + 1) * MIN_MEMTABLE;
    }

    @Override
    public ArenaOpened open(Terms terms) throws IOException {
        RocksDB.loadLibrary();
        Files.createDirectories(terms.dir());
        LsmOptions lsm = LsmOptions.defaults();
        long memtable = Math.max(MIN_MEMTABLE, terms.budget() / 8);
        long blockCache = terms.budget() - MEMTABLES * memtable;
        LRUCache cache = new LRUCache(blockCache);
        BloomFilter filter = new BloomFilter(lsm.bloomBitsPerKey());
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockSize(lsm.blockBytes())
                .setFilterPolicy(filter)
                .setBlockCache(cache)
                .setCacheIndexAndFilterBlocks(true)
                .setCacheIndexAndFilterBlocksWithHighPriority(true);
        Statistics stats = new Statistics();
        Options options = new Options().setCreateIfMissing(true).setStatistics(stats)
                .setWriteBufferSize(memtable)
                .setMaxWriteBufferNumber(MEMTABLES)
                .setLevel0FileNumCompactionTrigger(lsm.l0CompactionTrigger())
                .setLevel0SlowdownWritesTrigger(lsm.l0SlowdownTrigger())
                .setLevel0StopWritesTrigger(lsm.l0StopTrigger())
                .setMaxBytesForLevelBase(lsm.level1Bytes())
                .setMaxBytesForLevelMultiplier(lsm.levelMultiplier())
                .setTargetFileSizeBase(lsm.tableBytes())
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setMaxBackgroundJobs(1)
                .setMemtableWholeKeyFiltering(true)
                .setMemtablePrefixBloomSizeRatio(1.0 / 64)
                .setUseDirectReads(terms.direct())
                .setUseDirectIoForFlushAndCompaction(terms.direct())
                .setTableFormatConfig(table);
        WriteOptions writes = new WriteOptions().setSync(terms.sync() != SyncMode.NONE).setDisableWAL(false);
        RocksDB db;
        try {
            db = RocksDB.open(options, terms.dir().toString());
        } catch (RocksDBException e) {
            writes.close();
            options.close();
            stats.close();
            filter.close();
            cache.close();
            if (terms.direct() && String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("direct")) {
                throw new IllegalArgumentException("RocksDB has no direct I/O in " + terms.dir() + " (" + e.getMessage()
                        + "): give --dir a directory on a disk file system such as ext4 or xfs, or run with --io buffered"
                        + " (the page cache then serves reads, and the results say so)");
            }
            throw new IOException("RocksDB could not open " + terms.dir() + ": " + e.getMessage(), e);
        }
        RocksDbEngine.Store store = new RocksDbEngine.Store(db, options, stats, new UserBytes(), writes);
        String split = String.format(Locale.ROOT, "%d memtables of %s, block cache %s (LRU) holding the tables' index and"
                        + " filter blocks; log %s; %s", MEMTABLES, size(memtable), size(blockCache),
                terms.sync() == SyncMode.NONE ? "written per write, not synced" : "synced per write (WriteOptions.sync)",
                terms.direct() ? "use_direct_reads, use_direct_io_for_flush_and_compaction" : "buffered I/O");
        return new ArenaOpened(store, split) {
            @Override
            public Map<String, Long> memory() {
                Map<String, Long> m = new LinkedHashMap<>();
                m.put("blockCache", property("rocksdb.block-cache-usage"));
                m.put("memtables", property("rocksdb.cur-size-all-mem-tables"));
                m.put("tableReaders", property("rocksdb.estimate-table-readers-mem"));
                return m;
            }

            /** Compaction owes less than a level 1's worth, as for the course's LSM tree. */
            @Override
            public boolean settled() {
                return property("rocksdb.estimate-pending-compaction-bytes") < lsm.level1Bytes();
            }

            @Override
            public Map<String, Long> counts() {
                Map<String, Long> c = new LinkedHashMap<>();
                c.put("walSyncs", stats.getTickerCount(TickerType.WAL_FILE_SYNCED));
                c.put("blockCacheHits", stats.getTickerCount(TickerType.BLOCK_CACHE_HIT));
                c.put("blockCacheMisses", stats.getTickerCount(TickerType.BLOCK_CACHE_MISS));
                c.put("stallMicros", stats.getTickerCount(TickerType.STALL_MICROS));
                c.put("compactionReadBytes", stats.getTickerCount(TickerType.COMPACT_READ_BYTES));
                return c;
            }

            @Override
            public long engineBytesWritten() {
                return sum(WRITE_TICKERS);
            }

            @Override
            public long engineBytesRead() {
                return sum(READ_TICKERS);
            }

            @Override
            public Map<String, String> ownCounters() {
                Map<String, String> m = new LinkedHashMap<>();
                String written = "RocksDB tickers " + names(WRITE_TICKERS);
                String memory = "RocksDB properties rocksdb.block-cache-usage + rocksdb.cur-size-all-mem-tables"
                        + " + rocksdb.estimate-table-readers-mem";
                m.put("writeBytesPerOp", written);
                m.put("writeAmplification", written + ", over the keys and values written");
                m.put("readBytesPerOp", "RocksDB tickers " + names(READ_TICKERS));
                m.put("memoryBytes", memory);
                m.put("memory", memory);
                return m;
            }

            private long sum(TickerType[] tickers) {
                long s = 0;
                for (TickerType t : tickers) {
                    s += stats.getTickerCount(t);
                }
                return s;
            }

            private long property(String name) {
                try {
                    return db.getLongProperty(name);
                } catch (RocksDBException e) {
                    throw new IllegalStateException("RocksDB could not read its property " + name + ": " + e.getMessage(), e);
                }
            }

            @Override
            public void close() {
                store.close();
                filter.close();
                cache.close();
            }
        };
    }

    /** Bytes as the arena prints them: 1.0 MiB, 512 KiB. */
    private static String size(long bytes) {
        return bytes >= 1L << 20 ? String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20))
                : String.format(Locale.ROOT, "%.0f KiB", bytes / 1024.0);
    }

    private static String names(TickerType[] tickers) {
        StringBuilder sb = new StringBuilder();
        for (TickerType t : tickers) {
            sb.append(sb.length() == 0 ? "" : " + ").append(t.name());
        }
        return sb.toString();
    }
}
