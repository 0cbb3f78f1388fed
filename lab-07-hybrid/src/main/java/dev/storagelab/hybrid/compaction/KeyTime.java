package dev.storagelab.hybrid.compaction;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The time a key was written at, read from the key itself: what time-window compaction groups
 * tables by. The e-commerce orders carry it as an 8-byte big-endian timestamp, so that keys sort
 * by time; {@link #bigEndianAt} reads such a field.
 *
 * <p>Time must not decrease in key order (over the keys a policy serves): only then is a time
 * window one contiguous key range, which a table can be cut at and a level can hold beside the
 * others.
 */
@FunctionalInterface
public interface KeyTime {

    /** The time of {@code userKey}, in whatever unit the window width is given in. */
    long timeOf(byte[] userKey);

    /**
     * The unsigned big-endian 8-byte number at {@code offset} of the key (after a prefix such as
     * {@code "o/"}); a key shorter than that reads its missing bytes as 0, so it is the earliest
     * time its present bytes allow (and time still never decreases in key order). Times above
     * {@link Long#MAX_VALUE} read as it.
     */
    static KeyTime bigEndianAt(int offset) {
        checkArgument(offset >= 0, "offset must not be negative: %s", offset);
        return key -> {
            long t = 0;
            for (int i = 0; i < Long.BYTES; i++) {
                int at = offset + i;
                t = (t << 8) | (at < key.length ? key[at] & 0xFF : 0);
            }
            return t < 0 ? Long.MAX_VALUE : t;
        };
    }

    /**
     * The number written in {@code digits} ASCII decimal digits at {@code offset} (the workbench's
     * {@code order/%010d} keys: {@code decimalAt(6, 10)}); a missing or non-digit byte reads as 0,
     * so time still never decreases in key order among keys of that fixed width.
     */
    static KeyTime decimalAt(int offset, int digits) {
        checkArgument(offset >= 0, "offset must not be negative: %s", offset);
        checkArgument(digits >= 1 && digits <= 18, "digits must be in [1, 18]: %s", digits);
        return key -> {
            long t = 0;
            for (int i = 0; i < digits; i++) {
                int at = offset + i;
                int d = at < key.length ? key[at] - '0' : 0;
                t = t * 10 + (d >= 0 && d <= 9 ? d : 0);
            }
            return t;
        };
    }

    /** The big-endian timestamp at the start of the key. */
    static KeyTime bigEndianPrefix() {
        return bigEndianAt(0);
    }
}
