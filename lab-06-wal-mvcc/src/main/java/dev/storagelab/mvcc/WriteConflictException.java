package dev.storagelab.mvcc;

import dev.storagelab.kv.Bytes;

/**
 * First committer wins: another transaction committed a write to {@link #key()} after this
 * transaction started, so committing this one's write to it would lose that update.
 */
public class WriteConflictException extends ConflictException {

    private static final long serialVersionUID = 1L;

    /**
     * @param key                 the key both transactions wrote
     * @param startTs             the aborted transaction's start timestamp
     * @param conflictingCommitTs the commit timestamp of the other transaction's write
     */
    public WriteConflictException(Bytes key, long startTs, long conflictingCommitTs) {
        super(
                key,
                "write-write conflict on key " + key + ": a transaction committed it at timestamp "
                        + conflictingCommitTs + ", after this transaction started at " + startTs,
                startTs,
                conflictingCommitTs);
    }
}
