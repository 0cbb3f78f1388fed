package dev.storagelab.wal;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Objects;

/**
 * How a {@link Wal} behaves: when a commit returns ({@link SyncMode}), when a segment file is
 * full, and how many bytes one group commit may write at once. Immutable; change a field with the
 * {@code with*} copies:
 * <pre>{@code
 * WalOptions options = WalOptions.defaults().withSyncMode(SyncMode.EVERY_WRITE).withSegmentBytes(1 << 20);
 * }</pre>
 *
 * @param syncMode      when {@link Wal#commit} returns compared with when its record is durable
 * @param segmentBytes  a segment at or past this size is closed and a new one started before the
 *                      next write (so a segment may end up to one group larger than this)
 * @param maxGroupBytes the payload bytes a group commit's leader takes from the queue at most (it
 *                      always takes its own record, however large), so that one huge group does
 *                      not make the small commits queued behind it wait for its whole write
 */
public record WalOptions(SyncMode syncMode, long segmentBytes, int maxGroupBytes) {

    /** 16 MiB: a segment is recycled whole, so it should be large next to a checkpoint's interval. */
    public static final long DEFAULT_SEGMENT_BYTES = 16L << 20;
    /** 1 MiB, LevelDB's bound on a write group. */
    public static final int DEFAULT_MAX_GROUP_BYTES = 1 << 20;

    public WalOptions {
        Objects.requireNonNull(syncMode, "syncMode");
        checkArgument(segmentBytes > 0, "segmentBytes must be positive: %s", segmentBytes);
        checkArgument(maxGroupBytes > 0, "maxGroupBytes must be positive: %s", maxGroupBytes);
    }

    /** Group commit, 16 MiB segments, groups of at most 1 MiB. */
    public static WalOptions defaults() {
        return new WalOptions(SyncMode.GROUP, DEFAULT_SEGMENT_BYTES, DEFAULT_MAX_GROUP_BYTES);
    }

    public WalOptions withSyncMode(SyncMode mode) {
        return new WalOptions(mode, segmentBytes, maxGroupBytes);
    }

    public WalOptions withSegmentBytes(long bytes) {
        return new WalOptions(syncMode, bytes, maxGroupBytes);
    }

    public WalOptions withMaxGroupBytes(int bytes) {
        return new WalOptions(syncMode, segmentBytes, bytes);
    }
}
