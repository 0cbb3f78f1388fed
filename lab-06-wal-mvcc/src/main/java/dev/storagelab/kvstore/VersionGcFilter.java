package dev.storagelab.kvstore;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lsm.CompactionFilter;
import dev.storagelab.mvcc.VersionedKey;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Garbage collection of old versions inside the lab-05 LSM tree's compactions (lab-06 T7), as
 * RocksDB's user-defined timestamps and CockroachDB's Pebble do it: a compaction already reads and
 * rewrites every version of the keys it covers, so dropping the versions no snapshot can read costs
 * nothing extra, where the B+tree needs a separate pass ({@code MvccStore.collectGarbage}).
 *
 * <p>A compaction shows the filter its values in engine-key order: user keys ascending, each key's
 * versions newest first ({@link VersionedKey}). Of one user key's versions, every version newer than
 * the watermark is kept, and so is the newest one at or below it (a read at the watermark or later
 * needs it); older ones are dropped: no snapshot can read them. Tombstones never reach the filter
 * (the LSM tree shows it values only) and this filter never drops a version it has not seen a
 * newer kept version of <em>in the same compaction</em>: a version in another table, or a level
 * below, may be the only one a reader has.
 */
public final class VersionGcFilter implements CompactionFilter {

    /** The filters of an LSM tree's compactions, reading the watermark when each compaction starts. */
    public static CompactionFilter.Factory factory(LongSupplier watermark) {
        Objects.requireNonNull(watermark, "watermark");
        return (outputLevel, bottommost) -> new VersionGcFilter(watermark.getAsLong());
    }

    private final long watermark;
    /** The user key of the versions seen last, or null before the first. */
    private byte[] currentUserKey;
    /** Whether this compaction has kept a version of {@link #currentUserKey} at or below the watermark. */
    private boolean keptAtOrBelowWatermark;

    private long dropped;

    /** @param watermark the oldest timestamp a snapshot may still read at; versions it cannot need go */
    public VersionGcFilter(long watermark) {
        this.watermark = watermark;
    }

    /**
     * Whether to drop this version: decode the engine key ({@link VersionedKey#decode}; a key that
     * does not decode is kept, never dropped); on a new user key, forget the previous key's state;
     * keep every version newer than the watermark; keep the first version at or below it and
     * remember that; drop every later (older) version of the same user key.
     */
    @Override
    public boolean drop(byte[] engineKey, byte[] value) {
        // BEGIN SOLUTION lab-06 T7
        VersionedKey version;
        try {
            version = VersionedKey.decode(Bytes.wrap(engineKey));
        } catch (CorruptionException e) {
            return false;
        }
        byte[] user = version.userKey().toByteArray();
        if (currentUserKey == null || !Arrays.equals(currentUserKey, user)) {
            currentUserKey = user;
            keptAtOrBelowWatermark = false;
        }
        if (version.commitTs() > watermark) {
            return false;
        }
        if (!keptAtOrBelowWatermark) {
            keptAtOrBelowWatermark = true;
            return false;
        }
        dropped++;
        return true;
        // END SOLUTION
    }

    /** How many versions this filter dropped. */
    public long dropped() {
        return dropped;
    }

    @Override
    public String toString() {
        return "version GC filter at watermark " + watermark;
    }
}
