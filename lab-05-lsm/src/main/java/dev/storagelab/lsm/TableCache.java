package dev.storagelab.lsm;

import dev.storagelab.io.Storage;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store's open tables (LevelDB's {@code table_cache}): each table file is opened once, when
 * the store opens or when a flush or compaction writes it, and stays open until it is obsolete,
 * sharing the store's {@link BlockCache}. It also
 * keeps the read counters of the tables it has closed, so that the store's totals do not fall
 * when a compaction deletes a table.
 *
 * <p>Lookups do not lock; opening a table takes this cache's monitor, so that two readers of a
 * table not yet open open it once. The retired counters are guarded by the store's mutex.
 */
final class TableCache {

    /** Reads summed over tables. */
    record Reads(long blockReads, long filterSkips, long compactionBlockReads) {}

    private final Storage storage;
    /** Null when the store runs without a block cache. */
    private final BlockCache blocks;
    /** Open tables by file number. */
    private final Map<Long, Table> tables = new ConcurrentHashMap<>();

    private long retiredBlockReads;
    private long retiredFilterSkips;
    private long retiredCompactionBlockReads;

    TableCache(Storage storage, BlockCache blocks) {
        this.storage = storage;
        this.blocks = blocks;
    }

    /** The block cache, or null if the store has none. */
    BlockCache blockCache() {
        return blocks;
    }

    /**
     * The table {@code f} names. Every table of the store is open already: the store opens those of
     * its version at open ({@link #openAll}), and a flush or compaction each table it writes
     * ({@link #open}). So this is a map lookup, and a table not yet open (a damaged one the open
     * left for its first read to report) is opened by {@link #open} on this slow path: kept out of
     * the lookup, its code is not compiled into every get.
     */
    Table table(FileMeta f) throws IOException {
        Table t = tables.get(f.number());
        return t != null ? t : open(f);
    }

    /** Opens the table {@code f} names, once however many threads ask: returns the open one if there is. */
    Table open(FileMeta f) throws IOException {
        synchronized (tables) {
            Table t = tables.get(f.number());
            if (t == null) {
                t = Table.open(storage, LsmFileNames.table(f.number()), f.number(), blocks);
                tables.put(f.number(), t);
            }
            return t;
        }
    }

    /**
     * Opens every table of {@code v} (RocksDB's {@code max_open_files = -1}), so that no get opens
     * one. A table that fails to open is left closed: its first read opens it again and reports
     * the damage, as it would have had the store not opened it early.
     */
    void openAll(Version v) {
        for (int level = 0; level < Version.NUM_LEVELS; level++) {
            for (FileMeta f : v.files(level)) {
                try {
                    open(f);
                } catch (IOException | RuntimeException e) {
                    // reported by the table's first read, which opens it again
                }
            }
        }
    }

    /**
     * Closes table {@code number} if it is open, keeping its counters, and drops its blocks from the
     * block cache: the file is about to be deleted (the caller holds the store's mutex).
     */
    void evict(long number) throws IOException {
        Table t = tables.remove(number);
        if (t != null) {
            retiredBlockReads += t.stats().blockReads();
            retiredFilterSkips += t.stats().filterSkips();
            retiredCompactionBlockReads += t.stats().compactionBlockReads();
            t.close();
        }
        if (blocks != null) {
            blocks.evictFile(number);
        }
    }

    /** The reads of every table since the store opened, closed ones included (the caller holds the store's mutex). */
    Reads reads() {
        long blockReads = retiredBlockReads;
        long filterSkips = retiredFilterSkips;
        long compactionBlockReads = retiredCompactionBlockReads;
        for (Table t : tables.values()) {
            Table.Stats ts = t.stats();
            blockReads += ts.blockReads();
            filterSkips += ts.filterSkips();
            compactionBlockReads += ts.compactionBlockReads();
        }
        return new Reads(blockReads, filterSkips, compactionBlockReads);
    }

    /** Closes every open table (the store is closing). */
    void close() throws IOException {
        for (Table t : tables.values()) {
            t.close();
        }
        tables.clear();
    }
}
