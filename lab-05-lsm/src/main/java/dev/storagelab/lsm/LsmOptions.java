package dev.storagelab.lsm;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The LSM tree's knobs, with LevelDB's defaults scaled to a laptop (RocksDB's names in brackets).
 *
 * @param memtableBytes       a memtable this big is frozen and flushed to a level-0 table
 *                            [write_buffer_size]
 * @param l0CompactionTrigger this many level-0 tables start a compaction into level 1
 *                            [level0_file_num_compaction_trigger]
 * @param l0SlowdownTrigger   this many level-0 tables slow writes to {@code delayedWriteRate}, so
 *                            compaction catches up [level0_slowdown_writes_trigger]
 * @param l0StopTrigger       this many level-0 tables stop writes until compaction brings the count
 *                            down [level0_stop_writes_trigger]
 * @param level1Bytes         level 1's target size; level n+1's is {@code levelMultiplier} times
 *                            level n's [max_bytes_for_level_base]
 * @param levelMultiplier     the fan-out between levels [max_bytes_for_level_multiplier]
 * @param tableBytes          a compaction starts a new output table past this size
 *                            [target_file_size_base]
 * @param blockBytes          a data block is closed past this size [block_size]
 * @param bloomBitsPerKey     Bloom filter bits per key, at least 1: every table has a filter block
 * @param blockCacheBytes     the block cache's capacity; 0 for no cache [block_cache]
 * @param syncWrites          whether every write forces the log before it returns [WriteOptions.sync]
 * @param backgroundWork      whether flushes and compactions run on a background thread (false:
 *                            on the writing thread, which tests use to make runs repeatable)
 * @param compaction          leveled (LevelDB, RocksDB's default) or size-tiered (Cassandra's STCS,
 *                            RocksDB's universal compaction) [compaction_style]
 * @param tierSizeRatio       size-tiered: a run joins a compaction if it is at most this many
 *                            times the bytes of the newer runs already in it
 *                            [compaction_options_universal.size_ratio, as a factor]
 * @param walEnabled          whether writes go to the store's own write-ahead log (false: a layer
 *                            above keeps its own log, as lab-06's KvStore does, and the memtable is
 *                            durable only once flushed; close flushes it) [WriteOptions.disableWAL, negated]
 * @param compactionFilter    asked about every value a compaction keeps; null for none
 *                            [compaction_filter_factory]
 * @param compactionPolicy    the policy that picks compactions, in place of the one {@code compaction}
 *                            names (lab-07's time-window and adaptive policies); null for that one.
 *                            A policy object may keep state: give each store its own
 * @param softPendingCompactionBytes when the policy's estimate of the bytes compaction still has
 *                            to rewrite ({@link CompactionPolicy#pendingCompactionBytes}) reaches
 *                            this, writes are slowed to {@code delayedWriteRate}, as at {@code l0SlowdownTrigger};
 *                            0 for no limit [soft_pending_compaction_bytes_limit]
 * @param hardPendingCompactionBytes when the estimate reaches this, writes wait until compaction
 *                            brings it down, as at {@code l0StopTrigger}; 0 for no limit
 *                            [hard_pending_compaction_bytes_limit]
 * @param maxImmutableMemtables how many full memtables may wait for their flush, oldest first;
 *                            a writer whose memtable fills when this many wait stops until the
 *                            oldest is flushed [max_write_buffer_number − 1]
 * @param delayedWriteRate    while writes are slowed, the bytes per second (keys, values and
 *                            framing) all writers together may write; a writer sleeps once it
 *                            is a millisecond or more ahead of that rate. RocksDB's default,
 *                            16 MiB/s: a slowdown gives compaction room without stopping writers,
 *                            where a fixed pause per write would cap them at a thousand writes a
 *                            second [delayed_write_rate]
 */
public record LsmOptions(
        long memtableBytes,
        int l0CompactionTrigger,
        int l0SlowdownTrigger,
        int l0StopTrigger,
        long level1Bytes,
        int levelMultiplier,
        long tableBytes,
        int blockBytes,
        int bloomBitsPerKey,
        long blockCacheBytes,
        boolean syncWrites,
        boolean backgroundWork,
        CompactionStyle compaction,
        double tierSizeRatio,
        boolean walEnabled,
        CompactionFilter.Factory compactionFilter,
        CompactionPolicy compactionPolicy,
        long softPendingCompactionBytes,
        long hardPendingCompactionBytes,
        int maxImmutableMemtables,
        long delayedWriteRate) {

    /** How tables move down: see {@link BackgroundWork#pickCompaction}. */
    public enum CompactionStyle {
        /** Each level from 1 is one sorted run, ten times the one above; a compaction merges one table into the next level. */
        LEVELED,
        /** Level 0's runs and each deeper level's run are merged with runs of similar size, newest first. */
        TIERED
    }

    public LsmOptions {
        checkArgument(memtableBytes >= 1024, "memtableBytes must be at least 1 KiB: %s", memtableBytes);
        checkArgument(l0CompactionTrigger >= 1, "l0CompactionTrigger must be positive: %s", l0CompactionTrigger);
        checkArgument(
                l0SlowdownTrigger >= l0CompactionTrigger && l0StopTrigger >= l0SlowdownTrigger,
                "level-0 triggers must satisfy compaction <= slowdown <= stop: %s, %s, %s",
                l0CompactionTrigger,
                l0SlowdownTrigger,
                l0StopTrigger);
        checkArgument(level1Bytes >= 1024, "level1Bytes must be at least 1 KiB: %s", level1Bytes);
        checkArgument(levelMultiplier >= 2, "levelMultiplier must be at least 2: %s", levelMultiplier);
        checkArgument(tableBytes >= 1024, "tableBytes must be at least 1 KiB: %s", tableBytes);
        checkArgument(blockBytes >= 64, "blockBytes must be at least 64: %s", blockBytes);
        checkArgument(
                bloomBitsPerKey >= 1,
                "bloomBitsPerKey must be at least 1 (every table has a filter block): %s",
                bloomBitsPerKey);
        checkArgument(blockCacheBytes >= 0, "blockCacheBytes must not be negative: %s", blockCacheBytes);
        java.util.Objects.requireNonNull(compaction, "compaction");
        checkArgument(tierSizeRatio >= 1, "tierSizeRatio must be at least 1: %s", tierSizeRatio);
        checkArgument(walEnabled || !syncWrites, "syncWrites needs the write-ahead log: walEnabled is false");
        checkArgument(
                softPendingCompactionBytes >= 0 && hardPendingCompactionBytes >= 0,
                "pending-compaction limits must not be negative: soft %s, hard %s",
                softPendingCompactionBytes,
                hardPendingCompactionBytes);
        checkArgument(
                softPendingCompactionBytes == 0
                        || hardPendingCompactionBytes == 0
                        || softPendingCompactionBytes <= hardPendingCompactionBytes,
                "the soft pending-compaction limit must not exceed the hard one: soft %s, hard %s",
                softPendingCompactionBytes,
                hardPendingCompactionBytes);
        checkArgument(
                maxImmutableMemtables >= 1, "maxImmutableMemtables must be at least 1: %s", maxImmutableMemtables);
        checkArgument(
                delayedWriteRate >= 1, "delayedWriteRate must be at least 1 byte per second: %s", delayedWriteRate);
    }

    /**
     * LevelDB's defaults: 4 MiB memtables, level 0 compacted at 4 tables, slowed at 8 and stopped
     * at 12, a 10 MiB level 1 and 10x fan-out ({@link Version#NUM_LEVELS} levels), 2 MiB tables of 4 KiB blocks, 10-bit
     * Bloom filters, an 8 MiB block cache, writes logged but not forced one by one, no compaction filter;
     * and RocksDB's pending-compaction limits, 64 GiB to slow writes and 256 GiB to stop them, and
     * its rate of slowed writes, 16 MiB/s.
     */
    public static LsmOptions defaults() {
        return new Builder().build();
    }

    /** Tiny sizes, for tests that want many flushes, tables and levels from little data. */
    public static LsmOptions tiny() {
        Builder b = new Builder();
        b.memtableBytes = 8 << 10;
        b.l0CompactionTrigger = 2;
        b.l0SlowdownTrigger = 6;
        b.l0StopTrigger = 10;
        b.level1Bytes = 16 << 10;
        b.levelMultiplier = 4;
        b.tableBytes = 4 << 10;
        b.blockBytes = 512;
        b.blockCacheBytes = 64 << 10;
        b.backgroundWork = false;
        return b.build();
    }

    /** These options, as a builder to change some of them. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public LsmOptions withMemtableBytes(long bytes) {
        Builder b = toBuilder();
        b.memtableBytes = bytes;
        return b.build();
    }

    public LsmOptions withSyncWrites(boolean sync) {
        Builder b = toBuilder();
        b.syncWrites = sync;
        return b.build();
    }

    public LsmOptions withBackgroundWork(boolean background) {
        Builder b = toBuilder();
        b.backgroundWork = background;
        return b.build();
    }

    public LsmOptions withBloomBitsPerKey(int bits) {
        Builder b = toBuilder();
        b.bloomBitsPerKey = bits;
        return b.build();
    }

    public LsmOptions withBlockCacheBytes(long bytes) {
        Builder b = toBuilder();
        b.blockCacheBytes = bytes;
        return b.build();
    }

    public LsmOptions withCompaction(CompactionStyle style) {
        Builder b = toBuilder();
        b.compaction = style;
        return b.build();
    }

    /** Without the store's own log (and so without forced writes): a layer above logs the writes. */
    public LsmOptions withoutWal() {
        Builder b = toBuilder();
        b.walEnabled = false;
        b.syncWrites = false;
        return b.build();
    }

    public LsmOptions withCompactionFilter(CompactionFilter.Factory filter) {
        Builder b = toBuilder();
        b.compactionFilter = filter;
        return b.build();
    }

    /** With {@code policy} picking the compactions instead of {@link #compaction()}'s; null for that one again. */
    public LsmOptions withCompactionPolicy(CompactionPolicy policy) {
        Builder b = toBuilder();
        b.compactionPolicy = policy;
        return b.build();
    }

    /** The policy a store opened with these options uses: {@link #compactionPolicy()}, or {@link #compaction()}'s. */
    public CompactionPolicy policy() {
        return compactionPolicy != null ? compactionPolicy : CompactionPolicy.of(compaction);
    }

    /**
     * The options as fields to set, starting from {@link #defaults()}; {@link #build()} checks them.
     * Fields rather than setters: the record's Javadoc says what each one is.
     */
    public static final class Builder {
        public long memtableBytes = 4 << 20;
        public int l0CompactionTrigger = 4;
        public int l0SlowdownTrigger = 8;
        public int l0StopTrigger = 12;
        public long level1Bytes = 10 << 20;
        public int levelMultiplier = 10;
        public long tableBytes = 2 << 20;
        public int blockBytes = 4096;
        public int bloomBitsPerKey = 10;
        public long blockCacheBytes = 8 << 20;
        public boolean syncWrites;
        public boolean backgroundWork = true;
        public CompactionStyle compaction = CompactionStyle.LEVELED;
        public double tierSizeRatio = 1;
        public boolean walEnabled = true;
        public CompactionFilter.Factory compactionFilter;
        public CompactionPolicy compactionPolicy;
        public long softPendingCompactionBytes = 64L << 30;
        public long hardPendingCompactionBytes = 256L << 30;
        public int maxImmutableMemtables = 2;
        public long delayedWriteRate = 16L << 20;

        public Builder() {}

        Builder(LsmOptions o) {
            memtableBytes = o.memtableBytes;
            l0CompactionTrigger = o.l0CompactionTrigger;
            l0SlowdownTrigger = o.l0SlowdownTrigger;
            l0StopTrigger = o.l0StopTrigger;
            level1Bytes = o.level1Bytes;
            levelMultiplier = o.levelMultiplier;
            tableBytes = o.tableBytes;
            blockBytes = o.blockBytes;
            bloomBitsPerKey = o.bloomBitsPerKey;
            blockCacheBytes = o.blockCacheBytes;
            syncWrites = o.syncWrites;
            backgroundWork = o.backgroundWork;
            compaction = o.compaction;
            tierSizeRatio = o.tierSizeRatio;
            walEnabled = o.walEnabled;
            compactionFilter = o.compactionFilter;
            compactionPolicy = o.compactionPolicy;
            softPendingCompactionBytes = o.softPendingCompactionBytes;
            hardPendingCompactionBytes = o.hardPendingCompactionBytes;
            maxImmutableMemtables = o.maxImmutableMemtables;
            delayedWriteRate = o.delayedWriteRate;
        }

        /** The options, checked. */
        public LsmOptions build() {
            return new LsmOptions(
                    memtableBytes,
                    l0CompactionTrigger,
                    l0SlowdownTrigger,
                    l0StopTrigger,
                    level1Bytes,
                    levelMultiplier,
                    tableBytes,
                    blockBytes,
                    bloomBitsPerKey,
                    blockCacheBytes,
                    syncWrites,
                    backgroundWork,
                    compaction,
                    tierSizeRatio,
                    walEnabled,
                    compactionFilter,
                    compactionPolicy,
                    softPendingCompactionBytes,
                    hardPendingCompactionBytes,
                    maxImmutableMemtables,
                    delayedWriteRate);
        }
    }

    /** The target size of {@code level} (1 and up): level 1's, times the multiplier per level below it. */
    public long levelTargetBytes(int level) {
        checkArgument(level >= 1 && level < Version.NUM_LEVELS, "level %s has no target size", level);
        long bytes = level1Bytes;
        for (int l = 1; l < level; l++) {
            bytes = Math.multiplyExact(bytes, levelMultiplier);
        }
        return bytes;
    }
}
