package dev.storagelab.lsm;

import dev.storagelab.io.Storage;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store's open tables (LevelDB's {@code table_cache}): each table file is opened once, on its
 * first read, and stays open until it is obsolete, sharing the store's {@link BlockCache}. It also
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

    /** The table {@code f} names, opened on first use. */
    Table table(FileMeta f) throws IOException {
        Table t = tables.get(f.number());
        if (t != null) {
            return t;
        }
        synchronized (tables) {
            t = tables.get(f.number());
            if (t == null) {
                t = Table.open(storage, LsmFileNames.table(f.number()), f.number(), blocks);
                tables.put(f.number(), t);
            }
            return t;
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
