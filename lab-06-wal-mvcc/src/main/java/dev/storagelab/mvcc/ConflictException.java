package dev.storagelab.mvcc;

import dev.storagelab.kv.Bytes;

/**
 * A transaction could not commit because a concurrent transaction got there first; the
 * transaction has been aborted, and retrying it from the start may succeed. Unchecked, as
 * serialization failures are in most client APIs: a caller either retries or lets it propagate.
 */
public class ConflictException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Bytes key;
    private final long startTs;
    private final long conflictingCommitTs;

    /**
     * A conflict whose timestamps the store does not report (a store other than lab-06's, such as a
     * test's): {@link #startTs()} and {@link #conflictingCommitTs()} are -1.
     *
     * @param key     the key the conflict is on
     * @param message what happened, naming the key
     */
    public ConflictException(Bytes key, String message) {
        this(key, message, -1, -1);
    }

    /**
     * @param key                 the key the conflict is on
     * @param message             what happened, naming the key and the timestamps
     * @param startTs             the aborted transaction's start timestamp
     * @param conflictingCommitTs the commit timestamp of the other transaction's write to the key
     */
    protected ConflictException(Bytes key, String message, long startTs, long conflictingCommitTs) {
        super(message);
        this.key = key;
        this.startTs = startTs;
        this.conflictingCommitTs = conflictingCommitTs;
    }

    /** The key the conflict is on. */
    public Bytes key() {
        return key;
    }

    /** The aborted transaction's start timestamp; -1 if the store does not say. */
    public long startTs() {
        return startTs;
    }

    /**
     * When the other transaction committed its write to the key; -1 if the store does not say. A
     * retry that begins before that commit is visible starts below it and meets the same conflict.
     */
    public long conflictingCommitTs() {
        return conflictingCommitTs;
    }
}
