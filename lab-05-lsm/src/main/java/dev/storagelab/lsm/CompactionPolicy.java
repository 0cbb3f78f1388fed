package dev.storagelab.lsm;

/**
 * Which tables the LSM store compacts next: the one decision that separates leveled from
 * size-tiered compaction (and, in lab-07, time-window compaction). The store asks after every
 * flush and compaction, and runs what it gets on its background thread; the merge itself, the drop
 * rules and the version edit are the store's.
 */
public interface CompactionPolicy {

    /**
     * The most urgent compaction of {@code version}, or null if none is needed.
     *
     * @param compactPointer per level, the largest key of its last compaction (null before the
     *                       first): where a round-robin policy starts next; a policy may ignore it
     */
    Compaction pick(Version version, LsmOptions options, InternalKey[] compactPointer);

    /**
     * Whether a flush or a compaction must start a new table between two adjacent user keys,
     * however small the current table is (RocksDB's {@code SstPartitioner}): a policy that keeps
     * key ranges apart (lab-07's time windows and ranges) says so at their boundaries, so that no
     * table the store writes spans two of them. The store asks once per user key it writes; the
     * default never cuts.
     */
    default boolean cutBetween(byte[] previousUserKey, byte[] userKey) {
        return false;
    }

    /**
     * Whether a compaction's output tables may end early where a table of the level below the
     * output ends (RocksDB's {@code level_compaction_dynamic_file_size}, which it applies to leveled
     * compaction only): the store then cuts a table that holds at least half of
     * {@link LsmOptions#tableBytes()} at such an edge, so that it overlaps fewer tables of that level
     * when it moves down in its turn. The default does not: a size-tiered run is merged whole, never
     * a table at a time.
     */
    default boolean cutsAtGrandparentEdges() {
        return false;
    }

    /**
     * An estimate of the bytes compaction must still rewrite before {@code version} needs none
     * (RocksDB's {@code estimated_pending_compaction_bytes}): what the store weighs against
     * {@link LsmOptions#softPendingCompactionBytes} and {@link LsmOptions#hardPendingCompactionBytes}
     * to slow or stop writers before compaction falls hopelessly behind. The default counts level 0
     * once it reaches {@link LsmOptions#l0CompactionTrigger} tables: its bytes, and those of level 1
     * it will be merged with. Leveled compaction adds each level's excess over its target.
     */
    default long pendingCompactionBytes(Version version, LsmOptions options) {
        return version.files(0).size() >= options.l0CompactionTrigger()
                ? version.levelBytes(0) + version.levelBytes(1)
                : 0;
    }

    /** The policy of {@code style}. */
    static CompactionPolicy of(LsmOptions.CompactionStyle style) {
        return switch (style) {
            case LEVELED -> new LeveledCompaction();
            case TIERED -> new TieredCompaction();
        };
    }
}
