package dev.storagelab.kv;

import java.util.Objects;

/**
 * One version of one key, as engines store it: a value, or a tombstone that records a delete.
 *
 * <p>A tombstone must be kept until no older version of the key can resurface; dropping it early
 * brings a deleted value back to life (lab-01 T9).
 *
 * @param key   the key, never null
 * @param value the value, or null for a tombstone
 */
public record Entry(Bytes key, Bytes value) {

    public Entry {
        Objects.requireNonNull(key, "key");
    }

    /** A live key-value pair. */
    public static Entry put(Bytes key, Bytes value) {
        return new Entry(key, Objects.requireNonNull(value, "value"));
    }

    /** A tombstone for {@code key}. */
    public static Entry tombstone(Bytes key) {
        return new Entry(key, null);
    }

    /** Whether this entry records a delete. */
    public boolean isTombstone() {
        return value == null;
    }

    /** Approximate memory cost in bytes, used for memtable budgets: key, value and overhead. */
    public long approximateBytes() {
        return key.length() + (value == null ? 0 : value.length()) + OVERHEAD_BYTES;
    }

    /** The per-entry overhead charged by {@link #approximateBytes()}: headers, pointers, node. */
    public static final int OVERHEAD_BYTES = 32;

    @Override
    public String toString() {
        return key + (isTombstone() ? " -> <tombstone>" : " -> " + value);
    }
}
