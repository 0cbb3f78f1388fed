package dev.storagelab.hybrid.track;

import dev.storagelab.hybrid.cost.AccessStats;
import dev.storagelab.kv.Bytes;

/** PLACEHOLDER: the tracker helper replaces this file (T2), keeping these signatures. */
public final class AccessTracker {

    /** A tracker whose memory is fixed by {@code width} (counters per sketch row), aged every {@code sampleSize} accesses. */
    public AccessTracker(int width, int sampleSize) {
    }

    public void recordRead(Bytes key) {
        throw new UnsupportedOperationException("being built");
    }

    public void recordWrite(Bytes key) {
        throw new UnsupportedOperationException("being built");
    }

    /** A scan from {@code from} that read {@code entries} entries. */
    public void recordScan(Bytes from, int entries) {
        throw new UnsupportedOperationException("being built");
    }

    /** The estimate for {@code key}, with its value's size. */
    public AccessStats stats(Bytes key, int valueBytes) {
        throw new UnsupportedOperationException("being built");
    }

    /** Bytes of memory the tracker holds: the same for 10k or 10M distinct keys. */
    public long memoryBytes() {
        throw new UnsupportedOperationException("being built");
    }
}
