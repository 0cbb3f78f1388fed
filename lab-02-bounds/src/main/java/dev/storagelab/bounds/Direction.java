package dev.storagelab.bounds;

/**
 * Which way a {@link KeysetPaginator} walks the keys. A {@link Cursor} records it, so every page
 * after the first continues the same way.
 */
public enum Direction {

    /** Increasing key order; encoded as byte 0 in a {@link Cursor}. */
    FORWARD,

    /** Decreasing key order (newest first, for time-ordered keys); encoded as byte 1 in a {@link Cursor}. */
    BACKWARD
}
