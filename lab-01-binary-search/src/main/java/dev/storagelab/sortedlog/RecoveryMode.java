package dev.storagelab.sortedlog;

/**
 * What a log reader does with a bad record at the end of the log. RocksDB offers the same choice
 * ({@code WALRecoveryMode}).
 */
public enum RecoveryMode {
    /**
     * A crash can tear the last write: a record cut short by the end of the file, or a bad final
     * record that ends exactly at the end of the file, is treated as torn and the log is cut
     * before it. A bad record with valid data after it is corruption and is reported.
     */
    TOLERATE_TORN_TAIL,
    /** Any bad record, at the tail or not, is reported as corruption. */
    ABSOLUTE_CONSISTENCY
}
