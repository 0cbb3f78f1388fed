package dev.storagelab.hybrid.track;

import dev.storagelab.kv.Bytes;
import java.util.Arrays;

/**
 * Tells appends from random writes in bounded memory: a write is an <em>append</em> if its key is
 * greater than every key written before it in its stream, the way time-ordered keys (orders,
 * events, log lines) arrive. Streams are told apart by the first {@link #PREFIX_BYTES} bytes of the
 * key ({@code "ord:"}, {@code "evt:"}), hashed to one of {@link #STREAMS} slots; each slot keeps the
 * first {@link #KEPT_BYTES} bytes of its greatest key. A random write is greater than the greatest
 * key so far only rarely, so random streams count almost no appends.
 *
 * <p>The memory is fixed: {@code STREAMS * KEPT_BYTES} bytes of tails, whatever the keys. Keys
 * equal in their first {@link #KEPT_BYTES} bytes compare equal (not an append). Two streams that
 * share a slot disturb each other; {@link #clear()} (at each aging) forgets every tail.
 */
final class SequentialWriteDetector {

    static final int STREAMS = 64;
    static final int PREFIX_BYTES = 4;
    static final int KEPT_BYTES = 32;

    private final byte[] tails = new byte[STREAMS * KEPT_BYTES];
    /** Bytes of each slot's tail; -1: the slot has no tail yet. */
    private final int[] lengths = new int[STREAMS];

    SequentialWriteDetector() {
        clear();
    }

    /** Whether a write of {@code key} appends to its stream; moves the stream's tail if it does. */
    boolean isAppend(Bytes key) {
        int slot = slot(key);
        int n = Math.min(KEPT_BYTES, key.length());
        int base = slot * KEPT_BYTES;
        if (lengths[slot] < 0) {
            keep(key, slot, n);
            return false;
        }
        // only the kept prefix counts: a key equal to the tail in its first KEPT_BYTES is no append
        Bytes kept = n < key.length() ? Bytes.copyOf(key.toByteArray(), 0, n) : key;
        int cmp = kept.compareTo(tails, base, lengths[slot]);
        if (cmp > 0) {
            keep(key, slot, n);
            return true;
        }
        return false;
    }

    private void keep(Bytes key, int slot, int n) {
        byte[] b = key.toByteArray();
        System.arraycopy(b, 0, tails, slot * KEPT_BYTES, n);
        lengths[slot] = n;
    }

    private static int slot(Bytes key) {
        int h = 0;
        for (int i = 0; i < Math.min(PREFIX_BYTES, key.length()); i++) {
            h = h * 31 + (key.byteAt(i) & 0xff);
        }
        return (h ^ (h >>> 7)) & (STREAMS - 1);
    }

    /** Forgets every stream's tail. */
    void clear() {
        Arrays.fill(lengths, -1);
    }

    /** Bytes this detector holds: fixed. */
    static long memoryBytes() {
        return (long) STREAMS * KEPT_BYTES + (long) STREAMS * Integer.BYTES;
    }
}
