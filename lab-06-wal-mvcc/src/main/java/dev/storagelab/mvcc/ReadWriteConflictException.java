package dev.storagelab.mvcc;

import dev.storagelab.kv.Bytes;

/**
 * Serializable snapshot isolation (T8, bonus): this transaction read {@link #key()} (by a get, or a
 * scan whose range holds it), and another transaction committed a write to it after this one
 * started. Committing would make this transaction's writes depend on a value that is no longer the
 * latest, which is how write skew happens; so it aborts instead.
 */
public class ReadWriteConflictException extends ConflictException {

    private static final long serialVersionUID = 1L;

    /**
     * @param key                 the key this transaction read and the other one wrote
     * @param startTs             the aborted transaction's start timestamp
     * @param conflictingCommitTs the commit timestamp of the other transaction's write
     */
    public ReadWriteConflictException(Bytes key, long startTs, long conflictingCommitTs) {
        super(
                key,
                "read-write conflict on key " + key + ": this transaction read it at timestamp " + startTs
                        + ", and a transaction committed a write to it at timestamp " + conflictingCommitTs,
                startTs,
                conflictingCommitTs);
    }
}
