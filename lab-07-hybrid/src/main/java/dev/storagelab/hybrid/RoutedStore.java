package dev.storagelab.hybrid;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.kv.Bytes;
import java.io.IOException;

/**
 * An ordered store that places keys in tiers: the hardened {@code HybridStore} and the episode's
 * {@code SimpleHybridStore} alike, so every failure-mode scenario runs the same workload on both.
 */
public interface RoutedStore extends OrderedStore {

    /** The tier a read of {@code key} would be served from now (no access is recorded). */
    Tier where(Bytes key) throws IOException;

    /** Counters and sizes, as of now. */
    HybridStats stats();

    /**
     * Does the background work that is due (migrations, cache flushes, tier moves, reclassification)
     * now, on the calling thread: what a background thread does on its own when the store runs one.
     * Scenarios under simulated time call it at simulated intervals.
     */
    void runMaintenance() throws IOException;
}
