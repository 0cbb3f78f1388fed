package dev.storagelab.workbench.peers;

import dev.storagelab.kv.Bytes;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bytes callers wrote into a peer, counted as the workspace's engines count them
 * ({@code StoreMetrics}): key and value bytes per put, key bytes per delete. A peer's own figure
 * would not compare (RocksDB's {@code BYTES_WRITTEN} ticker adds its write batch framing, 15 bytes
 * per put of a 16-byte key and a 100-byte value; the others count nothing), and write
 * amplification compares across engines only over one denominator.
 */
final class UserBytes {

    private final LongAdder bytes = new LongAdder();

    void put(Bytes key, Bytes value) {
        bytes.add(key.length() + value.length());
    }

    void delete(Bytes key) {
        bytes.add(key.length());
    }

    /** The bytes written since this was created. */
    long sum() {
        return bytes.sum();
    }
}
