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

    /**
     * @param key     the key the conflict is on
     * @param message what happened, naming the key and the timestamps
     */
    public ConflictException(Bytes key, String message) {
        super(message);
        this.key = key;
    }

    /** The key the conflict is on. */
    public Bytes key() {
        return key;
    }
}
