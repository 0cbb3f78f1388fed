package dev.storagelab.workbench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What an engine says about itself, by name: the one place that defines the names, and the one
 * place that derives ratios from them.
 *
 * <p>An engine reports two kinds of figure ({@link Engine.Handle#counts()},
 * {@link Engine.Handle#gauges()}):
 * <ul>
 *   <li><b>counts</b> only ever grow while the engine is open (bytes written, pages read, cache
 *       hits), so the difference of two readings is what happened between them: the workload
 *       runner reports the counts of the measured run alone this way, and the shell the totals
 *       since the engine was opened;</li>
 *   <li><b>gauges</b> say what the engine is like now (tree height, leaf fill, segments, keys)
 *       and have no meaningful difference.</li>
 * </ul>
 * Ratios are derived from counts here and nowhere else ({@link #withRatios}), so every engine's
 * write amplification means the same thing, whether over one run or over a whole session.
 */
public final class Counters {

    // Counts: monotonic while the engine is open.

    /** Key and value bytes that callers put (key bytes for a delete), as {@code StoreMetrics} counts them. */
    public static final String USER_BYTES_WRITTEN = "user_bytes_written";
    /** Bytes that reached the engine's files: logs, segments, pages, everything. */
    public static final String DISK_BYTES_WRITTEN = "disk_bytes_written";
    /** Bytes read from the engine's files. */
    public static final String DISK_BYTES_READ = "disk_bytes_read";
    /** Read calls on the engine's files. */
    public static final String DISK_READS = "disk_reads";
    /** Write calls on the engine's files. */
    public static final String DISK_WRITES = "disk_writes";
    /** fsyncs: what durability cost. */
    public static final String FORCES = "forces";
    /** Pages read from the file into the buffer pool (the B+tree): its pool misses. */
    public static final String PAGE_READS = "page_reads";
    /** Pages written back from the buffer pool, by evictions and checkpoints. */
    public static final String PAGE_WRITES = "page_writes";
    /** Blocks read from segment or table files (an LSM: lab-01's store, RocksDB). */
    public static final String BLOCK_READS = "block_reads";
    /** Blocks compactions read (lab-05's store counts them apart from {@link #BLOCK_READS}: they bypass its cache). */
    public static final String COMPACTION_BLOCK_READS = "compaction_block_reads";
    /** Lookups the engine's page or block cache answered. */
    public static final String CACHE_HITS = "cache_hits";
    /** Lookups the engine's page or block cache had to read from a file. */
    public static final String CACHE_MISSES = "cache_misses";
    /** Memtables written out as segments. */
    public static final String FLUSHES = "flushes";
    /** Compactions that ran. */
    public static final String COMPACTIONS = "compactions";
    /** Writes that waited for a flush to make room. */
    public static final String WRITE_STALLS = "write_stalls";
    /** Table lookups a Bloom filter answered "not here" without reading a block. */
    public static final String FILTER_SKIPS = "filter_skips";
    /** Bytes a layer over an engine put into it (lab-06's KvStore: versioned keys and encoded values). */
    public static final String ENGINE_BYTES_WRITTEN = "engine_bytes_written";
    /** Records appended to a write-ahead log (lab-06: one per commit). */
    public static final String LOG_RECORDS = "log_records";
    /** Bytes written to a write-ahead log's segments, framing included. */
    public static final String LOG_BYTES = "log_bytes";
    /** Forces of a write-ahead log's segments (a part of {@link #FORCES}). */
    public static final String LOG_FORCES = "log_forces";
    /** Group commits: writes of the log that carried one or more queued records each. */
    public static final String COMMIT_GROUPS = "commit_groups";
    /** Checkpoints taken (the engine made durable, the log before it dropped). */
    public static final String CHECKPOINTS = "checkpoints";
    /** Log records replayed when the engine was opened (constant while it is open). */
    public static final String REPLAYED_RECORDS = "replayed_records";
    /** Old versions garbage collection removed (by the B+tree's pass, or the LSM tree's compaction filter). */
    public static final String GC_VERSIONS_REMOVED = "gc_versions_removed";
    /** Keys a routed store (lab-07's hybrid) moved from one engine to the other. */
    public static final String MIGRATIONS = "migrations";
    /** Moves a routed store's router wanted but put off: no token left, the hot set or the queue full. */
    public static final String MIGRATIONS_DEFERRED = "migrations_deferred";

    // Ratios: derived from counts by withRatios.

    /** {@link #DISK_BYTES_WRITTEN} per {@link #USER_BYTES_WRITTEN}. */
    public static final String WRITE_AMPLIFICATION = "write_amplification";
    /** {@link #PAGE_READS} per get. */
    public static final String PAGE_READS_PER_GET = "page_reads_per_get";
    /** {@link #BLOCK_READS} per get. */
    public static final String BLOCK_READS_PER_GET = "block_reads_per_get";
    /** {@link #CACHE_HITS} per cache lookup (hits and misses). */
    public static final String CACHE_HIT_RATE = "cache_hit_rate";
    /** {@link #LOG_RECORDS} per {@link #COMMIT_GROUPS}: how many commits shared each log write. */
    public static final String RECORDS_PER_COMMIT_GROUP = "records_per_commit_group";

    // Gauges: what the engine is like now.

    /** Keys in the store. */
    public static final String KEYS = "keys";
    /** The engine's estimate of its keys (RocksDB's counts an overwritten key still in a memtable twice). */
    public static final String ESTIMATED_KEYS = "estimated_keys";
    /** Levels of a tree, leaves included. */
    public static final String HEIGHT = "height";
    /** The B+tree leaves' used bytes over their capacity, averaged. */
    public static final String LEAF_FILL = "leaf_fill";
    /** Segments of lab-01's store. */
    public static final String SEGMENTS = "segments";
    /** An LSM tree's tables per level, level 0 first. */
    public static final String TABLES_PER_LEVEL = "tables_per_level";
    /** An LSM tree's bytes per level, level 0 first. */
    public static final String BYTES_PER_LEVEL = "bytes_per_level";
    /**
     * An LSM tree's bytes per level once compaction has settled after the run (no flush or
     * compaction due): what its space amplification is measured on.
     */
    public static final String BYTES_PER_LEVEL_SETTLED = "bytes_per_level_settled";
    /**
     * An LSM tree's bytes written to disk per user byte since the engine was opened (the preload
     * included), once compaction has settled after the run: the compactions a run leaves due are
     * paid for, as {@code lsm-sim}'s figure pays for them.
     */
    public static final String WRITE_AMPLIFICATION_SETTLED = "write_amplification_settled";
    /**
     * The heap the open engine held at the end of a run: the heap in use after a full collection
     * then, less the heap in use after one just before the engine was opened for the measured
     * operations ({@link WorkloadRunner#run(EngineFactory, java.nio.file.Path, Workload,
     * WorkloadRunner.Spec, BankWorkload.Threads, java.util.function.LongConsumer)}). Memory outside
     * the Java heap (RocksDB's block cache, LMDB's mapped file) is not in it; an engine that holds
     * next to nothing on the heap reads 0.
     */
    public static final String HEAP_HELD_BYTES = "heap_held_bytes";
    /** The size of the engine's files ({@link #bytesOnDisk}). */
    public static final String BYTES_ON_DISK = "bytes_on_disk";
    /** Versions in a multi-version store's engine: each key's versions and tombstones not yet collected. */
    public static final String VERSIONS = "versions";
    /** The newest commit timestamp a transaction that begins now reads at. */
    public static final String VISIBLE_TS = "visible_ts";
    /** Transactions begun and not yet committed or aborted. */
    public static final String ACTIVE_TRANSACTIONS = "active_transactions";
    /** The timestamp below which garbage collection may remove versions: the oldest live snapshot's. */
    public static final String GC_WATERMARK = "gc_watermark";
    /** What the last failed background checkpoint or garbage collection threw (only when one failed). */
    public static final String MAINTENANCE_FAILURE = "maintenance_failure";
    /** Keys a routed store sends to its B+tree (lab-07's hybrid): the routing table's hot entries. */
    public static final String HOT_KEYS = "hot_keys";
    /** Keys with a live copy in both engines of a routed store now (a move waiting for its checkpoint). */
    public static final String DUPLICATE_KEYS = "duplicate_keys";
    /** Memory a routed store's access tracker holds. */
    public static final String TRACKER_BYTES = "tracker_bytes";
    /** Entries in a routed store's RAM cache. */
    public static final String CACHE_ENTRIES = "cache_entries";
    /** Bytes of a routed store's hot tier: its B+tree's file. */
    public static final String HOT_BYTES = "hot_bytes";
    /** Bytes of a routed store's cold tier: its LSM tree's files on fast storage. */
    public static final String COLD_BYTES = "cold_bytes";
    /** Bytes of a routed store's archive tier: its LSM tree's files on the slow device. */
    public static final String ARCHIVE_BYTES = "archive_bytes";
    /** Moves waiting in a routed store's migration queue. */
    public static final String QUEUED_MIGRATIONS = "queued_migrations";
    /** Tokens left in a routed store's migration budget (a token bucket), of its burst. */
    public static final String MIGRATION_TOKENS = "migration_tokens";
    /** {@link #WRITE_AMPLIFICATION} since the engine was opened, as the engine counts it (the preload included). */
    public static final String WRITE_AMPLIFICATION_SINCE_OPEN = "write_amplification_since_open";
    /** {@link #CACHE_HIT_RATE} since the engine was opened, as the engine counts it (the preload included). */
    public static final String CACHE_HIT_RATE_SINCE_OPEN = "cache_hit_rate_since_open";

    private Counters() {}

    /** The {@link #BYTES_ON_DISK} gauge: the size of the files in {@code dir} now (a file deleted meanwhile counts 0). */
    public static long bytesOnDisk(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        }
    }

    /**
     * What happened between two readings of one engine's counts: {@code after - before}, name by
     * name, in {@code after}'s order.
     *
     * @throws IllegalArgumentException if the readings name different counts, or a count went
     *                                  down (it is not monotonic, so it belongs with the gauges)
     */
    public static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        if (!before.keySet().equals(after.keySet())) {
            throw new IllegalArgumentException("two readings of one engine's counts name different counts: "
                    + before.keySet() + " before, " + after.keySet() + " after");
        }
        Map<String, Long> delta = new LinkedHashMap<>();
        after.forEach((name, now) -> {
            long then = Objects.requireNonNull(before.get(name), name);
            if (now < then) {
                throw new IllegalArgumentException("count " + name + " went down from " + then + " to " + now
                        + ": a count must only grow while the engine is open (a figure that can shrink is a gauge)");
            }
            delta.put(name, now - then);
        });
        return delta;
    }

    /**
     * {@code counts} followed by the ratios derived from them, each only where the engine reports
     * the counts it needs: {@link #WRITE_AMPLIFICATION}, {@link #PAGE_READS_PER_GET},
     * {@link #BLOCK_READS_PER_GET}, {@link #CACHE_HIT_RATE} and {@link #RECORDS_PER_COMMIT_GROUP}.
     * A ratio whose denominator is 0 is NaN (printed {@code n/a}).
     *
     * <p>The per-get ratios divide every page or block read, whatever asked for it, by
     * {@code gets}: they are exact for read-only workloads and an upper bound where puts or scans
     * read as well.
     *
     * @param gets the gets done while the counts were counted: the caller's own tally (the
     *             workload runner's measured gets, the shell's get commands), not the engine's
     */
    public static Map<String, Object> withRatios(Map<String, Long> counts, long gets) {
        if (gets < 0) {
            throw new IllegalArgumentException("gets must not be negative: " + gets);
        }
        Map<String, Object> all = new LinkedHashMap<>(counts);
        if (counts.containsKey(DISK_BYTES_WRITTEN) && counts.containsKey(USER_BYTES_WRITTEN)) {
            all.put(WRITE_AMPLIFICATION, ratio(counts.get(DISK_BYTES_WRITTEN), counts.get(USER_BYTES_WRITTEN)));
        }
        if (counts.containsKey(PAGE_READS)) {
            all.put(PAGE_READS_PER_GET, ratio(counts.get(PAGE_READS), gets));
        }
        if (counts.containsKey(BLOCK_READS)) {
            all.put(BLOCK_READS_PER_GET, ratio(counts.get(BLOCK_READS), gets));
        }
        if (counts.containsKey(CACHE_HITS) && counts.containsKey(CACHE_MISSES)) {
            long hits = counts.get(CACHE_HITS);
            all.put(CACHE_HIT_RATE, ratio(hits, hits + counts.get(CACHE_MISSES)));
        }
        if (counts.containsKey(LOG_RECORDS) && counts.containsKey(COMMIT_GROUPS)) {
            all.put(RECORDS_PER_COMMIT_GROUP, ratio(counts.get(LOG_RECORDS), counts.get(COMMIT_GROUPS)));
        }
        return all;
    }

    /** {@code numerator / denominator}, NaN when the denominator is 0. */
    static double ratio(long numerator, long denominator) {
        return denominator == 0 ? Double.NaN : (double) numerator / denominator;
    }
}
