package dev.storagelab.lsm;

/**
 * Lets a layer above the LSM tree remove values during compaction, as RocksDB's compaction filter
 * does: lab-06's multi-version store uses one to drop the versions no snapshot can read any more
 * (garbage collection without a separate pass over the data). A filter is created per compaction
 * and sees, in key order, every live value the compaction would write; tombstones, and values an
 * open {@link Snapshot} can read (written before the newest snapshot was taken), are never shown
 * to it.
 */
@FunctionalInterface
public interface CompactionFilter {

    /**
     * Whether to drop this value of {@code userKey}. Called in the compaction's order (increasing
     * user keys; a key's versions newest first, when a snapshot keeps several), on the compaction's
     * thread. Dropping a value may expose an older value of the same user
     * key in a level below, as in RocksDB: a filter that drops must not care which one it exposes
     * (lab-06 writes each versioned key once).
     *
     * @param userKey the user key (do not keep or change the array)
     * @param value   its value (do not keep or change the array)
     */
    boolean drop(byte[] userKey, byte[] value);

    /** Creates the filter of one compaction. */
    @FunctionalInterface
    interface Factory {

        /**
         * @param outputLevel the level the compaction writes
         * @param bottommost  whether no level below the output holds any table: a value dropped
         *                    here leaves nothing older behind it
         */
        CompactionFilter create(int outputLevel, boolean bottommost);
    }
}
