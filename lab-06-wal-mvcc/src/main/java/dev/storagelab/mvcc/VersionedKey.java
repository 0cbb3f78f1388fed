package dev.storagelab.mvcc;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import java.util.Objects;

/**
 * One version of one user key: the user key and the commit timestamp of the transaction that wrote
 * it, encoded into a single engine key so that any {@link dev.storagelab.bounds.OrderedStore} (the
 * lab-04 B+tree, the lab-05 LSM tree) keeps every version of every key, in the order MVCC reads
 * want: user keys ascending, and for one user key the <b>newest version first</b>.
 *
 * <p>The encoding (handout, "Formats"):
 * <pre>
 *   escaped user key                     terminator   ~commitTs, 8 bytes big-endian
 *   every 0x00 byte written as 0x00 0xFF  0x00 0x01
 * </pre>
 * The escape keeps the order of user keys even when one is a prefix of another ({@code "a"} and
 * {@code "a\x00"}, {@code "a"} and {@code "ab"}): an escaped key never contains {@code 0x00 0x01},
 * and the terminator {@code 0x00 0x01} sorts below every byte that can follow a key's end in a longer
 * key ({@code 0x00 0xFF} for an escaped zero, or a byte {@code >= 0x01}), as in FoundationDB's tuple
 * layer and CockroachDB's key encoding. The timestamp is stored inverted ({@code ~ts}), so the bytes of a
 * larger timestamp compare smaller: the newest version of a key comes first, and a read at timestamp
 * {@code t} seeks to {@code encode(key, t)} and finds the newest version at or before {@code t} under
 * the cursor.
 *
 * <p>Timestamps are non-negative: {@code ~ts} then always has its top bit set, which
 * {@link #decode} checks.
 *
 * @param userKey  the user's key, never null
 * @param commitTs the commit timestamp, {@code >= 0}
 */
public record VersionedKey(Bytes userKey, long commitTs) implements Comparable<VersionedKey> {

    /** The escape byte: a {@code 0x00} of the user key is written as {@code ESCAPE, ESCAPED_ZERO}. */
    public static final int ESCAPE = 0x00;
    /** The byte after {@link #ESCAPE} that stands for a user key's {@code 0x00}. */
    public static final int ESCAPED_ZERO = 0xFF;
    /** The byte after {@link #ESCAPE} that ends the user key: the terminator is {@code 0x00 0x01}. */
    public static final int TERMINATOR = 0x01;
    /** The bytes of the inverted, big-endian commit timestamp after the terminator. */
    public static final int TIMESTAMP_BYTES = 8;
    /** What the encoding adds to a user key without zero bytes: the terminator and the timestamp. */
    public static final int OVERHEAD_BYTES = 2 + TIMESTAMP_BYTES;

    public VersionedKey {
        Objects.requireNonNull(userKey, "userKey");
        if (commitTs < 0) {
            throw new IllegalArgumentException("commit timestamp must not be negative: " + commitTs);
        }
    }

    /**
     * The engine key of this version: the user key with every {@code 0x00} byte written as
     * {@code 0x00 0xFF}, then the terminator {@code 0x00 0x01}, then {@code ~commitTs} in 8
     * big-endian bytes. For any two versions {@code a} and {@code b},
     * {@code a.encode().compareTo(b.encode())} has the sign of {@code a.compareTo(b)}: user keys
     * ascending (unsigned bytes, a prefix first), then commit timestamps <em>descending</em>.
     */
    public Bytes encode() {
        // BEGIN SOLUTION lab-06 T4
        int zeros = 0;
        for (int i = 0; i < userKey.length(); i++) {
            if (userKey.byteAt(i) == ESCAPE) {
                zeros++;
            }
        }
        byte[] out = new byte[userKey.length() + zeros + OVERHEAD_BYTES];
        int pos = 0;
        for (int i = 0; i < userKey.length(); i++) {
            byte b = userKey.byteAt(i);
            out[pos++] = b;
            if (b == ESCAPE) {
                out[pos++] = (byte) ESCAPED_ZERO;
            }
        }
        out[pos++] = ESCAPE;
        out[pos++] = TERMINATOR;
        long inverted = ~commitTs;
        for (int shift = 56; shift >= 0; shift -= 8) {
            out[pos++] = (byte) (inverted >>> shift);
        }
        return Bytes.wrap(out);
        // END SOLUTION
    }

    /**
     * The inverse of {@link #encode()}.
     *
     * @throws CorruptionException naming the key ({@code "versioned key <bytes>"}) and the offset of the
     *                             first byte that is wrong, if {@code encoded} is not exactly an encoded
     *                             version: an escape byte followed by anything but {@code 0xFF} or the
     *                             terminator's {@code 0x01}; no terminator; other than 8 bytes after it;
     *                             or an inverted timestamp without its top bit (a negative timestamp)
     */
    public static VersionedKey decode(Bytes encoded) throws CorruptionException {
        // BEGIN SOLUTION lab-06 T4
        int n = encoded.length();
        byte[] user = new byte[n];
        int length = 0;
        int pos = 0;
        while (true) {
            if (pos >= n) {
                throw new CorruptionException(describe(encoded), pos, "no terminator 0x00 0x01 after the user key");
            }
            byte b = encoded.byteAt(pos);
            if (b != ESCAPE) {
                user[length++] = b;
                pos++;
                continue;
            }
            if (pos + 1 >= n) {
                throw new CorruptionException(describe(encoded), pos, "an escape byte 0x00 at the end of the key");
            }
            int following = encoded.byteAt(pos + 1) & 0xff;
            if (following == ESCAPED_ZERO) {
                user[length++] = 0;
                pos += 2;
            } else if (following == TERMINATOR) {
                pos += 2;
                break;
            } else {
                throw new CorruptionException(
                        describe(encoded),
                        pos + 1,
                        String.format(
                                "escape byte 0x00 followed by 0x%02x (only 0xff, an escaped zero, or 0x01, the terminator, may follow it)",
                                following));
            }
        }
        if (n - pos != TIMESTAMP_BYTES) {
            throw new CorruptionException(
                    describe(encoded),
                    pos,
                    (n - pos) + " bytes after the terminator; the timestamp takes exactly " + TIMESTAMP_BYTES);
        }
        long inverted = 0;
        for (int i = 0; i < TIMESTAMP_BYTES; i++) {
            inverted = (inverted << 8) | (encoded.byteAt(pos + i) & 0xff);
        }
        if (inverted >= 0) {
            throw new CorruptionException(
                    describe(encoded),
                    pos,
                    "the inverted timestamp's top bit is clear: a negative timestamp " + ~inverted);
        }
        return new VersionedKey(Bytes.copyOf(user, 0, length), ~inverted);
        // END SOLUTION
    }

    /** How a corruption message names a versioned key (built only when there is an error to report). */
    private static String describe(Bytes encoded) {
        return "versioned key " + encoded;
    }

    /**
     * The engine key a read of {@code userKey} at {@code readTs} seeks to: the first engine entry at
     * or after it is the newest version of {@code userKey} at or before {@code readTs}, if that entry
     * is a version of {@code userKey} at all.
     */
    public static Bytes seekKey(Bytes userKey, long readTs) {
        return new VersionedKey(userKey, readTs).encode();
    }

    /**
     * The smallest engine key of any version of {@code userKey}: its escaped bytes and the
     * terminator. Every version of {@code userKey} starts with it, and every version of a smaller
     * user key sorts before it.
     */
    public static Bytes versionsStart(Bytes userKey) {
        Bytes any = new VersionedKey(userKey, 0).encode();
        return Bytes.copyOf(any.toByteArray(), 0, any.length() - TIMESTAMP_BYTES);
    }

    /**
     * The smallest engine key after every version of {@code userKey}: {@link #versionsStart} with its
     * last byte (the terminator's {@code 0x01}) raised to {@code 0x02}. Every version of a larger user
     * key sorts at or after it, so a scan ending here (exclusive) sees the versions of
     * {@code userKey} and nothing else, and a seek to it skips them all.
     */
    public static Bytes versionsEnd(Bytes userKey) {
        byte[] start = versionsStart(userKey).toByteArray();
        start[start.length - 1] = TERMINATOR + 1;
        return Bytes.wrap(start);
    }

    /** User keys ascending, then commit timestamps descending: the order of the encoded keys. */
    @Override
    public int compareTo(VersionedKey other) {
        int c = userKey.compareTo(other.userKey);
        return c != 0 ? c : Long.compare(other.commitTs, commitTs);
    }

    @Override
    public String toString() {
        return userKey + "@" + commitTs;
    }
}
