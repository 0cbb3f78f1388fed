package dev.storagelab.lsm;

import java.util.Arrays;

/**
 * The order of the keys stored in a block, compared where they lie (inside the block's bytes),
 * without copying them out. A data block holds encoded {@link InternalKey}s
 * ({@link InternalKey#ORDER}); a test or an index can use plain unsigned byte order
 * ({@link #BYTEWISE}).
 */
@FunctionalInterface
public interface KeyOrder {

    /** Unsigned lexicographic order, the order of {@link dev.storagelab.kv.Bytes}. */
    KeyOrder BYTEWISE =
            (a, aOff, aLen, b, bOff, bLen) -> Arrays.compareUnsigned(a, aOff, aOff + aLen, b, bOff, bOff + bLen);

    /** Negative, zero or positive as the first key sorts before, equal to or after the second. */
    int compare(byte[] a, int aOffset, int aLength, byte[] b, int bOffset, int bLength);

    /** {@link #compare} of two whole arrays. */
    default int compare(byte[] a, byte[] b) {
        return compare(a, 0, a.length, b, 0, b.length);
    }
}
