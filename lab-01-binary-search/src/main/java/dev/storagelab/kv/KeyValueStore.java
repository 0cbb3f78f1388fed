package dev.storagelab.kv;

import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;

/**
 * The store interface every engine in the workspace implements: the lab-01 log and segment
 * stores, the lab-04 B+tree, the lab-05 LSM, the lab-06 crash-safe store and the lab-07 hybrid.
 *
 * <p>Keys and values are {@link Bytes}. Keys may not be empty and are at most
 * {@link #MAX_KEY_BYTES}; values are at most {@link #MAX_VALUE_BYTES}. Implementations check
 * arguments with {@link #checkKey} and {@link #checkValue}, so every engine rejects the same input
 * with the same message.
 *
 * <p>Durability is each engine's own promise, stated in its Javadoc (for example: "a put is
 * durable once {@code sync()} returns").
 */
public interface KeyValueStore extends Closeable {

    /** The largest key accepted, in bytes. */
    int MAX_KEY_BYTES = 16 * 1024;

    /** The largest value accepted, in bytes. */
    int MAX_VALUE_BYTES = 16 * 1024 * 1024;

    /** The value of {@code key}, or empty if it is absent or deleted. */
    Optional<Bytes> get(Bytes key) throws IOException;

    /** Sets {@code key} to {@code value}, replacing any earlier value. */
    void put(Bytes key, Bytes value) throws IOException;

    /** Removes {@code key}; deleting an absent key is not an error. */
    void delete(Bytes key) throws IOException;

    /** Makes every write that has returned so far durable. */
    void sync() throws IOException;

    /** Checks a key at the edge of a store and returns it. */
    static Bytes checkKey(Bytes key) {
        if (key == null) {
            throw new NullPointerException("key must not be null");
        }
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
        if (key.length() > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("key is " + key.length() + " bytes; the limit is " + MAX_KEY_BYTES);
        }
        return key;
    }

    /** Checks a value at the edge of a store and returns it. */
    static Bytes checkValue(Bytes value) {
        if (value == null) {
            throw new NullPointerException("value must not be null (use delete to remove a key)");
        }
        if (value.length() > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException(
                    "value is " + value.length() + " bytes; the limit is " + MAX_VALUE_BYTES);
        }
        return value;
    }
}
