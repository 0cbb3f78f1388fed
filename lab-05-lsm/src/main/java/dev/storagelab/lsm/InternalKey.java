package dev.storagelab.lsm;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A user key tagged with the sequence number of the write that made it and what that write was.
 * Every version of every key the LSM tree holds is one internal key; sorting them by user key
 * ascending, then sequence number <em>descending</em>, puts the newest version of a key first, so
 * a read at snapshot {@code s} seeks to {@code (key, s)} and the first entry it finds with that
 * user key is the answer.
 *
 * <p>Encoded (in blocks, tables and the memtable) as the user key's bytes followed by an 8-byte
 * big-endian trailer {@code sequence << 8 | type}:
 *
 * <pre>
 * +----------------------+--------------------------------+--------+
 * | user key (n bytes)   | sequence (7 bytes, big-endian) | type   |
 * +----------------------+--------------------------------+--------+
 *                         \_________ trailer: 8 bytes, ordered descending _______/
 * </pre>
 *
 * @param userKey  the key the user wrote
 * @param sequence 0 to {@link #MAX_SEQUENCE}
 * @param type     a value or a deletion
 */
public record InternalKey(Bytes userKey, long sequence, ValueType type) implements Comparable<InternalKey> {

    /** Sequence numbers take the trailer's top 7 bytes. */
    public static final long MAX_SEQUENCE = (1L << 56) - 1;

    /** The trailer after the user key: 7 bytes of sequence number and 1 byte of type. */
    public static final int TRAILER_BYTES = 8;

    /** {@link #compareEncoded} as a {@link KeyOrder}: the order of the keys in data blocks. */
    public static final KeyOrder ORDER = InternalKey::compareEncoded;

    public InternalKey {
        Objects.requireNonNull(userKey, "userKey");
        Objects.requireNonNull(type, "type");
        if (sequence < 0 || sequence > MAX_SEQUENCE) {
            throw new IllegalArgumentException("sequence must be in [0, 2^56 - 1]: " + sequence);
        }
    }

    /**
     * The key a read at snapshot {@code snapshot} seeks to: it sorts before every version of
     * {@code userKey} written at or before {@code snapshot} and after every later one.
     */
    public static InternalKey seekKey(Bytes userKey, long snapshot) {
        return new InternalKey(userKey, snapshot, ValueType.PUT);
    }

    /** The trailer {@code sequence << 8 | type}. */
    public long trailer() {
        return sequence << 8 | type.code();
    }

    /**
     * The encoded form: the user key's bytes, then the trailer, 8 bytes big-endian.
     *
     * @return a new array of {@code userKey().length() + 8} bytes
     */
    public byte[] encode() {
        // BEGIN SOLUTION lab-05 T1
        int n = userKey.length();
        byte[] out = new byte[n + TRAILER_BYTES];
        userKey.copyTo(out, 0);
        long trailer = trailer();
        for (int i = 0; i < TRAILER_BYTES; i++) {
            out[n + i] = (byte) (trailer >>> (8 * (TRAILER_BYTES - 1 - i)));
        }
        return out;
        // END SOLUTION
    }

    /**
     * Decodes an internal key from {@code length} bytes of {@code src} at {@code offset}.
     *
     * @param file   the file the bytes came from, for the exception
     * @param fileOffset where in that file they start, for the exception
     * @throws CorruptionException naming {@code file} and {@code fileOffset} if the bytes are
     *         shorter than a trailer or the type byte is not a {@link ValueType}
     */
    public static InternalKey decode(byte[] src, int offset, int length, String file, long fileOffset)
            throws CorruptionException {
        // BEGIN SOLUTION lab-05 T1
        if (length < TRAILER_BYTES) {
            throw new CorruptionException(
                    file, fileOffset, "internal key of " + length + " bytes is shorter than its 8-byte trailer");
        }
        long trailer = trailerAt(src, offset + length - TRAILER_BYTES);
        ValueType type = ValueType.ofCode((int) (trailer & 0xff));
        if (type == null) {
            throw new CorruptionException(file, fileOffset, "internal key has unknown value type " + (trailer & 0xff));
        }
        return new InternalKey(Bytes.copyOf(src, offset, length - TRAILER_BYTES), trailer >>> 8, type);
        // END SOLUTION
    }

    /**
     * Compares two encoded internal keys where they lie: user keys in unsigned byte order, then
     * trailers descending (the higher sequence number first; at equal sequence numbers a
     * {@link ValueType#PUT} before a {@link ValueType#DELETE}). Both keys are at least
     * {@link #TRAILER_BYTES} long (the caller decoded or built them).
     */
    public static int compareEncoded(byte[] a, int aOffset, int aLength, byte[] b, int bOffset, int bLength) {
        // BEGIN SOLUTION lab-05 T1
        int aUser = aLength - TRAILER_BYTES;
        int bUser = bLength - TRAILER_BYTES;
        int c = Arrays.compareUnsigned(a, aOffset, aOffset + aUser, b, bOffset, bOffset + bUser);
        if (c != 0) {
            return c;
        }
        // A trailer uses all 64 bits (sequence numbers up to 2^56 - 1, shifted): compare unsigned.
        return Long.compareUnsigned(trailerAt(b, bOffset + bUser), trailerAt(a, aOffset + aUser));
        // END SOLUTION
    }

    /** The order of {@link #compareEncoded}: user key ascending, sequence descending, type descending. */
    @Override
    public int compareTo(InternalKey other) {
        int c = userKey.compareTo(other.userKey);
        return c != 0 ? c : Long.compareUnsigned(other.trailer(), trailer());
    }

    /** The 8 big-endian bytes at {@code pos} as a long. */
    static long trailerAt(byte[] src, int pos) {
        long t = 0;
        for (int i = 0; i < TRAILER_BYTES; i++) {
            t = (t << 8) | (src[pos + i] & 0xff);
        }
        return t;
    }

    @Override
    public String toString() {
        return userKey + "@" + sequence + (type == ValueType.DELETE ? ":del" : ":put");
    }
}
