package dev.storagelab.lsm;

import dev.storagelab.kv.Bytes;
import java.util.Objects;

/**
 * What the MANIFEST records about one table file: its number (the file is
 * {@code LsmFileNames.table(number)}), its size, and the smallest and largest internal keys it
 * holds. A {@link Version} is a list of these per level; a get or a compaction picks tables by
 * comparing a user key with {@link #smallest} and {@link #largest} without opening them.
 *
 * @param number   the table's file number, positive, unique in the database
 * @param size     the file's size in bytes
 * @param smallest the first internal key in the table
 * @param largest  the last internal key in the table, not before {@code smallest}
 */
public record FileMeta(long number, long size, InternalKey smallest, InternalKey largest) {

    public FileMeta {
        Objects.requireNonNull(smallest, "smallest");
        Objects.requireNonNull(largest, "largest");
        if (number <= 0) {
            throw new IllegalArgumentException("table file number must be positive: " + number);
        }
        if (size < 0) {
            throw new IllegalArgumentException("table file size must not be negative: " + size);
        }
        if (smallest.compareTo(largest) > 0) {
            throw new IllegalArgumentException(
                    "table " + number + ": smallest key " + smallest + " sorts after largest key " + largest);
        }
    }

    /**
     * Whether the table's user keys meet {@code [lo, hi]} (both inclusive; null is unbounded on that
     * side).
     */
    public boolean overlaps(Bytes lo, Bytes hi) {
        return (lo == null || largest.userKey().compareTo(lo) >= 0)
                && (hi == null || smallest.userKey().compareTo(hi) <= 0);
    }

    @Override
    public String toString() {
        return "#" + number + "[" + smallest + " .. " + largest + ", " + size + " B]";
    }
}
